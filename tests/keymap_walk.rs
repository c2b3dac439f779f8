//! Every binding of the keymap, in every context, through the loop the binary runs.
//!
//! For each binding the walk sets the app up where the binding can act (a list with room to
//! move, a finding selected, a revealed question, a card with six key points, a running
//! countdown…), presses each of its keys as the terminal sends them through
//! `Runtime::step`, and checks the effect its description states — on the screen the user
//! reads, and in the state behind it. A binding the walk has no stated effect for fails it:
//! a key whose effect nobody can state is a bug in the keymap.

mod common;

use common::{Looped, NOW, bundled_library};
use std::collections::BTreeSet;
use trialdeck::content::Role;
use trialdeck::review::Filter;
use trialdeck::tui::action::Action;
use trialdeck::tui::app::{App, Face, Focus, Overlay, Quiz, RoundsOptions, Section, Step};
use trialdeck::tui::keymap::{Context, Keymap};
use trialdeck::tui::runtime::Ending;
use trialdeck::tui::theme::ThemeName;

const W: u16 = 100;
const H: u16 = 30;

/// What the walk compares before and after a key.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    screen: String,
    ctx: Context,
    overlay: &'static str,
    focus: Focus,
    section: Section,
    entry: Option<usize>,
    list_sel: usize,
    item: usize,
    scroll: usize,
    role: Option<Role>,
    theme: ThemeName,
    sort: String,
    revealed: usize,
    quiz: Option<QuizSeen>,
    rounds: Option<RoundsSeen>,
    search: Option<(String, usize, bool)>,
    reader_scroll: Option<usize>,
    ended: Option<Ending>,
    suspended: usize,
    message: Option<String>,
    reviews: u64,
    cards: Option<CardsSeen>,
}

#[derive(Debug, Clone, PartialEq)]
struct CardsSeen {
    sel: usize,
    rows: usize,
    typing: bool,
    query: String,
    /// The selected card's flags and whether it has a state.
    suspended: bool,
    buried: bool,
    reviewed: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum QuizSeen {
    Building {
        row: usize,
        count: Option<usize>,
        due: bool,
    },
    Running {
        at: usize,
        back: bool,
        points: usize,
        ticked: u64,
        skipped: usize,
        graded: usize,
        practice: bool,
        unsaved: usize,
    },
    Idle,
    Done,
}

#[derive(Debug, Clone, PartialEq)]
struct RoundsSeen {
    at: usize,
    shown: usize,
    notes: bool,
    blank: bool,
    timer_running: bool,
    timer_left: u64,
    learner: Option<String>,
    scroll: usize,
    notes_scroll: usize,
    goto: Option<String>,
    list: Option<usize>,
}

fn seen(l: &Looped) -> Seen {
    let a = l.app();
    let b = &a.browse;
    Seen {
        screen: l.screen(),
        ctx: a.context(),
        overlay: match &a.overlay {
            None => "none",
            Some(Overlay::Help(_)) => "help",
            Some(Overlay::Stats(_)) => "stats",
            Some(Overlay::Search(_)) => "search",
        },
        focus: b.focus,
        section: b.section,
        entry: b.current(),
        list_sel: b.list_sel,
        item: b.item,
        scroll: b.scroll,
        role: b.role,
        theme: a.theme.name,
        sort: b.sort.label().to_string(),
        revealed: b.revealed.len(),
        quiz: a.quiz().map(|q| match q {
            Quiz::Building(bl) => QuizSeen::Building {
                row: bl.row,
                count: bl.filter.count,
                due: bl.filter.due,
            },
            Quiz::Running(s) => QuizSeen::Running {
                at: s.at,
                back: s.face == Face::Back,
                points: match s.face {
                    Face::Front { points } => points,
                    Face::Back => usize::MAX,
                },
                ticked: s.ticked,
                skipped: s.skipped,
                graded: s.reviews.len(),
                practice: s.practice,
                unsaved: s.unsaved(),
            },
            Quiz::Idle(_) => QuizSeen::Idle,
            Quiz::Done { .. } => QuizSeen::Done,
        }),
        rounds: a.rounds().map(|r| RoundsSeen {
            at: r.at,
            shown: r.shown,
            notes: r.notes,
            blank: r.blank,
            timer_running: r.timer.running(),
            timer_left: r.timer.remaining(a.now).as_secs(),
            learner: r.called().map(str::to_string),
            scroll: r.scroll,
            notes_scroll: r.notes_scroll,
            goto: r.goto.clone(),
            list: r.list,
        }),
        search: a
            .search()
            .map(|s| (s.query.clone(), s.selected, s.reveal_on_open)),
        reader_scroll: match &a.overlay {
            Some(Overlay::Help(h)) => Some(h.scroll),
            Some(Overlay::Stats(s)) => Some(s.scroll),
            _ => None,
        },
        ended: l.ended,
        suspended: l.rt.console.suspended,
        message: a.message.clone(),
        reviews: l.rt.services.store().review_count().unwrap_or(0),
        cards: a.cards().map(|c| {
            let i = c.selected();
            let f = i.map(|i| a.deck.flags[i]).unwrap_or_default();
            CardsSeen {
                sel: c.sel,
                rows: c.rows.len(),
                typing: c.typing,
                query: c.query.clone(),
                suspended: f.suspended,
                buried: f.buried(trialdeck::tui::app::quiz::unix(a.now)),
                reviewed: i.is_some_and(|i| a.deck.states[i].is_some()),
            }
        }),
    }
}

// ---- set-ups --------------------------------------------------------------------------------

fn browser() -> Looped {
    Looped::new(App::new(bundled_library(), ThemeName::Dark), W, H, NOW)
}

/// The list, with room to move both ways.
fn list() -> Looped {
    let mut l = browser();
    l.burst(&["j", "j", "j"]);
    l
}

/// EMILIA open in `section`, with its second item selected where it has items.
fn detail(section: Section) -> Looped {
    let mut l = browser();
    assert_eq!(
        l.app().lib.entries[l.app().browse.current().unwrap()]
            .id
            .as_ref() as &str,
        "emilia",
        "the browser opens on the landmark"
    );
    l.press("Enter");
    let n = (section.index() + 1).to_string();
    l.press(&n);
    if section.has_items() {
        l.press("j");
    }
    l
}

fn searching() -> Looped {
    let mut l = browser();
    l.press("/");
    l.type_text("emilia");
    l.press("Down");
    l
}

fn help() -> Looped {
    let mut l = browser();
    l.press("?");
    l.burst(&["j", "j"]);
    l
}

/// Statistics at 80×24, where they do not fit on one screen.
fn stats() -> Looped {
    let mut l = Looped::new(App::new(bundled_library(), ThemeName::Dark), 80, 24, NOW);
    l.press("S");
    l.burst(&["j", "j"]);
    l
}

/// The quiz builder, on its Count row.
fn builder() -> Looped {
    let mut l = browser();
    l.press("Q");
    let q = l.app().quiz().expect("the builder");
    let Quiz::Building(b) = q else {
        panic!("not the builder")
    };
    let count = b
        .rows()
        .iter()
        .position(|r| *r == trialdeck::tui::app::BuilderRow::Count)
        .expect("a count row");
    for _ in 0..count {
        l.press("j");
    }
    l
}

/// A scheduler without learning steps: the walk's sessions end after their cards (the steps
/// have their own tests through the loop, in tests/quiz.rs).
fn days_only() -> trialdeck::review::Scheduler {
    trialdeck::review::Scheduler::default().with_steps(trialdeck::review::Steps {
        learning: vec![],
        relearning: vec![],
    })
}

/// A session whose first card has the most key points in the pack, then two more cards.
fn session() -> Looped {
    let mut app = App::new(bundled_library(), ThemeName::Dark);
    app.attach_history(&Default::default(), days_only(), false, None);
    app.start_quiz(Filter::default(), false);
    let (most, others) = {
        let d = &app.deck;
        let points = |i: usize| d.cards[i].text(&app.lib).map_or(0, |t| t.key_points.len());
        let most = (0..d.cards.len()).max_by_key(|&i| points(i)).unwrap();
        assert!(points(most) >= 6, "a card with six key points for 1–6");
        (
            most,
            [(most + 1) % d.cards.len(), (most + 2) % d.cards.len()],
        )
    };
    app.screen = trialdeck::tui::app::Screen::Quiz(Box::new(Quiz::Running(
        trialdeck::tui::app::Session::new(vec![most, others[0], others[1]], Filter::default(), NOW),
    )));
    Looped::new(app, W, H, NOW)
}

/// The session with its first card's answer showing.
fn revealed_card() -> Looped {
    let mut l = session();
    l.press("Space");
    l
}

fn graded_once() -> Looped {
    let mut l = revealed_card();
    l.press("3");
    l
}

/// A session whose second grade the history refused (a full disk): one grade unsaved.
fn unsaved_grade() -> Looped {
    let mut l = graded_once();
    l.rt.services.store_mut().refuse_writes(true);
    l.burst(&["Space", "Space"]);
    l.rt.services.store_mut().refuse_writes(false);
    assert!(
        l.screen().contains("1 grade NOT saved"),
        "the header keeps the unsaved grade in sight:\n{}",
        l.screen()
    );
    l
}

/// The card browser, on its third card, over the list.
fn card_browser() -> Looped {
    let mut l = list();
    l.press("C");
    l.burst(&["j", "j"]);
    l
}

/// A finished session with one card missed.
fn summary_with_a_miss() -> Looped {
    let mut l = revealed_card();
    l.press("1");
    l.burst(&["Space", "Space", "Space", "Space"]);
    assert_eq!(seen(&l).quiz, Some(QuizSeen::Done));
    l
}

/// EMILIA's round from the browser (`P`), on its second question, with learners and a
/// handout file in `dir`.
fn round(dir: &std::path::Path) -> Looped {
    let mut app = App::new(bundled_library(), ThemeName::Dark);
    let e = app.lib.index_of("emilia").unwrap();
    app.start_rounds(
        e,
        RoundsOptions {
            learners: vec!["Ana".into(), "Ben".into(), "Chi".into()],
            handout: Some(dir.join("emilia-round.md")),
            ..RoundsOptions::default()
        },
        true,
    );
    let mut l = Looped::new(app, W, H, NOW);
    l.burst(&["Right", "Right", "Right"]);
    assert!(matches!(
        l.app().rounds().map(|r| r.step()),
        Some(Step::Question(1))
    ));
    l
}

/// EMILIA's round on its evidence card (cut at 100×30: it scrolls).
fn round_evidence(dir: &std::path::Path) -> Looped {
    let mut l = round(dir);
    l.burst(&["Home", "Right"]);
    assert!(matches!(
        l.app().rounds().map(|r| r.step()),
        Some(Step::Evidence)
    ));
    assert!(l.screen().contains("↓ more below"), "{}", l.screen());
    l
}

// ---- the checks -----------------------------------------------------------------------------

type Check = Box<dyn Fn(&Seen, &Seen, &Looped) -> Result<(), String>>;

fn ok_if(cond: bool, what: &str) -> Result<(), String> {
    if cond { Ok(()) } else { Err(what.to_string()) }
}

fn changed(b: &Seen, a: &Seen) -> Result<(), String> {
    ok_if(b.screen != a.screen, "the screen did not change")
}

fn check(f: impl Fn(&Seen, &Seen, &Looped) -> Result<(), String> + 'static) -> Check {
    Box::new(f)
}

/// The set-up and the stated effect of `action` in `ctx`; `None` when nobody can state one.
fn scenario(ctx: Context, action: &Action, dir: &std::path::Path) -> Option<(Looped, Check)> {
    use Action as A;
    use Context as C;
    let quits = || check(|_, a, _| ok_if(a.ended == Some(Ending::Quit), "did not quit"));
    let suspends = || {
        check(|b, a, _| {
            ok_if(
                a.suspended == b.suspended + 1 && a.ended.is_none(),
                "did not suspend",
            )
        })
    };
    let opens = |overlay: &'static str, text: &'static str| {
        check(move |b, a, _| {
            changed(b, a)?;
            ok_if(a.overlay == overlay, "the overlay did not open")?;
            ok_if(a.screen.contains(text), text)
        })
    };
    // A reading overlay (help, statistics) closes, or scrolls as stated.
    let reader = |action: &Action| -> Check {
        match action {
            A::Back => check(|b, a, _| {
                changed(b, a)?;
                ok_if(a.overlay == "none", "did not close")
            }),
            A::Down | A::PageDown | A::Bottom => check(|b, a, _| {
                changed(b, a)?;
                ok_if(a.reader_scroll > b.reader_scroll, "did not scroll down")
            }),
            A::Up | A::PageUp | A::Top => check(|b, a, _| {
                changed(b, a)?;
                ok_if(a.reader_scroll < b.reader_scroll, "did not scroll up")
            }),
            A::ForceQuit => quits(),
            _ => check(|_, _, _| Err("no stated effect".into())),
        }
    };
    Some(match (ctx, action) {
        // Everywhere (tested in the list and in the detail panel).
        (C::Global | C::List | C::Detail, A::OpenSearch) => {
            (list(), opens("search", "Type to search"))
        }
        (C::Global, A::OpenHelp) => (list(), opens("help", "Every key, by where it works")),
        (C::Global, A::Quit | A::ForceQuit) => (list(), quits()),
        (C::Global, A::Suspend) => (list(), suspends()),
        (C::Global, A::SwitchPanel) => (
            list(),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(a.focus != b.focus, "the focus did not switch")
            }),
        ),
        (C::Global, A::NextRole | A::PrevRole) => {
            let want = if *action == A::NextRole {
                Role::MedicalStudent
            } else {
                Role::GuidelineCommittee
            };
            (
                detail(Section::Discussion),
                check(move |b, a, _| {
                    changed(b, a)?;
                    ok_if(a.role == Some(want), "the role filter did not step")?;
                    ok_if(a.screen.contains(want.label()), "the role is not shown")
                }),
            )
        }
        (C::Global, A::OpenQuiz) => (
            list(),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(
                    matches!(a.quiz, Some(QuizSeen::Building { .. })),
                    "the builder did not open",
                )?;
                ok_if(a.screen.contains("Start"), "no Start row")
            }),
        ),
        (C::Global, A::OpenStats) => (list(), opens("stats", "Review statistics")),
        (C::Global, A::OpenCards) => (
            list(),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(a.cards.is_some(), "the card browser did not open")
            }),
        ),
        (C::Global, A::OpenRounds) => (
            list(),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(a.rounds.is_some(), "rounds did not start")
            }),
        ),
        (C::Global, A::CycleTheme) => (
            list(),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(a.theme != b.theme, "the theme did not change")?;
                ok_if(a.screen.contains("theme:"), "no notice of the theme")
            }),
        ),
        (C::Global, A::GotoSection(n)) => {
            let want = Section::ALL[*n as usize - 1];
            // From section 9 so that 1–8 all change it; 9 from the list.
            let l = if *n == 9 {
                list()
            } else {
                detail(Section::Discussion)
            };
            (
                l,
                check(move |b, a, _| {
                    changed(b, a)?;
                    ok_if(a.section == want, "not the section")?;
                    ok_if(a.focus == Focus::Detail, "the detail is not focused")
                }),
            )
        }

        // The trial list.
        (C::List, A::Down) => (
            list(),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(a.list_sel == b.list_sel + 1, "did not move down one")
            }),
        ),
        (C::List, A::Up) => (
            list(),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(a.list_sel + 1 == b.list_sel, "did not move up one")
            }),
        ),
        (C::List, A::Top) => (
            list(),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(a.list_sel == 0, "not at the first trial")
            }),
        ),
        (C::List, A::Bottom | A::PageDown) => (
            list(),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(
                    a.list_sel > b.list_sel + 1,
                    "did not move down a page or to the end",
                )
            }),
        ),
        (C::List, A::PageUp) => {
            let mut l = list();
            l.press("G");
            (
                l,
                check(|b, a, _| {
                    changed(b, a)?;
                    ok_if(a.list_sel + 1 < b.list_sel, "did not move up a page")
                }),
            )
        }
        (C::List, A::Open) => (
            list(),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(
                    a.focus == Focus::Detail && a.section == Section::Overview,
                    "the trial did not open at its Overview",
                )?;
                ok_if(a.entry == b.entry, "another trial opened")
            }),
        ),
        (C::List, A::CycleSort) => (
            list(),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(a.sort != b.sort, "the sort did not change")
            }),
        ),

        // The detail panel.
        (C::Detail, A::Reveal) => (
            detail(Section::Discussion),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(a.revealed == b.revealed + 1, "nothing revealed")
            }),
        ),
        (C::Detail, A::HideAll) => {
            let mut l = detail(Section::Discussion);
            l.burst(&["Space", "j", "Space"]);
            (
                l,
                check(|b, a, _| {
                    changed(b, a)?;
                    ok_if(b.revealed == 2 && a.revealed == 0, "not all hidden")
                }),
            )
        }
        (C::Detail, A::Open) => (
            detail(Section::Related),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(a.entry != b.entry, "the link was not followed")
            }),
        ),
        (C::Detail, A::Down) => (
            detail(Section::Findings),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(a.item == b.item + 1, "the next finding is not selected")
            }),
        ),
        (C::Detail, A::Up) => (
            detail(Section::Findings),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(a.item + 1 == b.item, "the previous finding is not selected")
            }),
        ),
        (C::Detail, A::Top) => (
            detail(Section::Findings),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(a.item == 0 && a.scroll == 0, "not at the top")
            }),
        ),
        (C::Detail, A::Bottom | A::PageDown) => (
            detail(Section::Findings),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(
                    a.item > b.item + 1 || a.scroll > b.scroll,
                    "did not go down",
                )
            }),
        ),
        (C::Detail, A::PageUp) => {
            let mut l = detail(Section::Findings);
            l.press("G");
            (
                l,
                check(|b, a, _| {
                    changed(b, a)?;
                    ok_if(a.item < b.item || a.scroll < b.scroll, "did not go up")
                }),
            )
        }
        (C::Detail, A::NextSection) => (
            detail(Section::Findings),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(
                    a.section.index() == b.section.index() + 1,
                    "not the next section",
                )
            }),
        ),
        (C::Detail, A::PrevSection) => (
            detail(Section::Findings),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(
                    a.section.index() + 1 == b.section.index(),
                    "not the previous section",
                )
            }),
        ),
        (C::Detail, A::Back) => (
            detail(Section::Findings),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(a.focus == Focus::List, "not back to the list")
            }),
        ),

        // Search.
        (C::Search, A::Open) => (
            searching(),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(
                    a.overlay == "none" && a.focus == Focus::Detail,
                    "the hit did not open",
                )
            }),
        ),
        (C::Search, A::Back) => (
            searching(),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(a.overlay == "none", "search did not close")?;
                ok_if(
                    a.entry == b.entry && a.focus == b.focus,
                    "not back where search opened",
                )
            }),
        ),
        (C::Search, A::Down | A::PageDown) => (
            searching(),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(
                    a.search.as_ref().unwrap().1 > b.search.as_ref().unwrap().1,
                    "not down",
                )
            }),
        ),
        (C::Search, A::Up | A::PageUp) => (
            searching(),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(
                    a.search.as_ref().unwrap().1 < b.search.as_ref().unwrap().1,
                    "not up",
                )
            }),
        ),
        (C::Search, A::SearchBackspace) => (
            searching(),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(
                    a.search.as_ref().unwrap().0 == "emili",
                    "no character deleted",
                )
            }),
        ),
        (C::Search, A::SearchClear) => (
            searching(),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(
                    a.search.as_ref().unwrap().0.is_empty(),
                    "the query is not cleared",
                )
            }),
        ),
        (C::Search, A::SearchToggleReveal) => (
            searching(),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(
                    a.search.as_ref().unwrap().2 != b.search.as_ref().unwrap().2,
                    "reveal on open did not toggle",
                )
            }),
        ),
        (C::Search, A::ForceQuit) => (searching(), quits()),
        (C::Search, A::Suspend) => (searching(), suspends()),

        // Help, and the statistics overlay, which reads the same keys.
        (C::Help, a) => {
            let mut l = help();
            if matches!(a, A::Up | A::PageUp | A::Top) {
                l.press("G");
            }
            (l, reader(a))
        }

        // The quiz.
        (C::Quiz, A::Reveal) => (
            session(),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(
                    matches!(a.quiz, Some(QuizSeen::Running { back: true, .. })),
                    "the answer is not showing",
                )?;
                ok_if(a.screen.contains("Key points"), "no key points on screen")
            }),
        ),
        (C::Quiz, A::NextPoint) => (
            session(),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(
                    matches!(
                        a.quiz,
                        Some(QuizSeen::Running {
                            points: 1,
                            back: false,
                            ..
                        })
                    ),
                    "the first key point is not shown",
                )
            }),
        ),
        (C::Quiz, A::TickPoint(n)) => {
            let bit = 1u64 << (*n - 1);
            (
                revealed_card(),
                check(move |b, a, _| {
                    changed(b, a)?;
                    match (&b.quiz, &a.quiz) {
                        (
                            Some(QuizSeen::Running { ticked: t0, .. }),
                            Some(QuizSeen::Running { ticked: t1, .. }),
                        ) => ok_if(*t1 == t0 ^ bit, "the point is not ticked"),
                        _ => Err("not in a session".into()),
                    }
                }),
            )
        }
        (C::Quiz, A::Open | A::Grade(_)) => (
            revealed_card(),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(a.reviews == b.reviews + 1, "no review in the history")?;
                ok_if(
                    matches!(
                        a.quiz,
                        Some(QuizSeen::Running {
                            at: 1,
                            back: false,
                            ..
                        })
                    ),
                    "not on the next card",
                )
            }),
        ),
        (C::Quiz, A::Undo) => (
            graded_once(),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(a.reviews == b.reviews, "the review count moved")?;
                ok_if(
                    matches!(
                        a.quiz,
                        Some(QuizSeen::Running {
                            at: 0,
                            back: true,
                            ..
                        })
                    ),
                    "the graded card is not shown again",
                )?;
                ok_if(
                    a.message.as_deref().is_some_and(|m| m.contains("undone")),
                    "no notice",
                )
            }),
        ),
        (C::Quiz, A::Skip) => (
            session(),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(
                    matches!(
                        a.quiz,
                        Some(QuizSeen::Running {
                            at: 1,
                            skipped: 1,
                            graded: 0,
                            ..
                        })
                    ),
                    "not skipped",
                )
            }),
        ),
        (C::Quiz, A::OpenEntry) => (
            session(),
            check(|b, a, l| {
                changed(b, a)?;
                ok_if(a.quiz.is_none(), "still on the quiz")?;
                ok_if(a.focus == Focus::Detail, "the trial is not open")?;
                ok_if(l.app().paused_quiz.is_some(), "the quiz is not paused")
            }),
        ),
        (C::Quiz, A::DrillMissed) => (
            summary_with_a_miss(),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(
                    matches!(a.quiz, Some(QuizSeen::Running { at: 0, .. })),
                    "no drill session",
                )
            }),
        ),
        (C::Quiz, A::Down | A::PageDown | A::Bottom) => (
            builder(),
            check(|b, a, _| {
                changed(b, a)?;
                match (&b.quiz, &a.quiz) {
                    (
                        Some(QuizSeen::Building { row: r0, .. }),
                        Some(QuizSeen::Building { row: r1, .. }),
                    ) => ok_if(r1 > r0, "the builder row did not move down"),
                    _ => Err("not in the builder".into()),
                }
            }),
        ),
        (C::Quiz, A::Up | A::PageUp | A::Top) => (
            builder(),
            check(|b, a, _| {
                changed(b, a)?;
                match (&b.quiz, &a.quiz) {
                    (
                        Some(QuizSeen::Building { row: r0, .. }),
                        Some(QuizSeen::Building { row: r1, .. }),
                    ) => ok_if(r1 < r0, "the builder row did not move up"),
                    _ => Err("not in the builder".into()),
                }
            }),
        ),
        (C::Quiz, A::NextSection | A::PrevSection) => (
            builder(),
            check(|b, a, _| {
                changed(b, a)?;
                match (&b.quiz, &a.quiz) {
                    (
                        Some(QuizSeen::Building { count: c0, .. }),
                        Some(QuizSeen::Building { count: c1, .. }),
                    ) => ok_if(c1 != c0, "the count did not change"),
                    _ => Err("not in the builder".into()),
                }
            }),
        ),
        (C::Quiz, A::Back) => (
            graded_once(),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(a.quiz == Some(QuizSeen::Done), "the summary is not shown")?;
                ok_if(a.screen.contains("1"), "no count on the summary")
            }),
        ),
        (C::Quiz, A::Bury | A::SuspendCard) => {
            let word = if *action == A::Bury {
                "buried"
            } else {
                "suspended"
            };
            (
                session(),
                check(move |b, a, l| {
                    changed(b, a)?;
                    ok_if(
                        matches!(a.quiz, Some(QuizSeen::Running { at: 1, .. })),
                        "the card did not leave the session",
                    )?;
                    ok_if(
                        a.message.as_deref().is_some_and(|m| m.contains(word)),
                        "no notice",
                    )?;
                    let d = &l.app().deck;
                    ok_if(
                        d.flags.iter().any(|f| f.suspended || f.buried_until > 0),
                        "the deck does not know",
                    )
                }),
            )
        }
        (C::Quiz, A::Practice) => (
            builder(),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(
                    matches!(a.quiz, Some(QuizSeen::Running { practice: true, .. })),
                    "no practice run",
                )?;
                ok_if(a.screen.contains("practice"), "the screen does not say so")
            }),
        ),
        (C::Quiz, A::Retry) => (
            unsaved_grade(),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(
                    a.reviews == b.reviews + 1,
                    "the unsaved grade was not written",
                )?;
                ok_if(
                    matches!(a.quiz, Some(QuizSeen::Running { unsaved: 0, .. })),
                    "still unsaved",
                )?;
                ok_if(!a.screen.contains("NOT saved"), "the header still warns")
            }),
        ),
        (C::Quiz, A::OpenCards) => (
            session(),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(a.cards.is_some(), "the card browser did not open")?;
                ok_if(a.screen.contains("Cards"), "no title")
            }),
        ),

        // The card browser.
        (C::Cards, A::Down | A::PageDown | A::Bottom) => (
            card_browser(),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(
                    a.cards.as_ref().unwrap().sel > b.cards.as_ref().unwrap().sel,
                    "did not move down",
                )
            }),
        ),
        (C::Cards, A::Up | A::PageUp | A::Top) => (
            card_browser(),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(
                    a.cards.as_ref().unwrap().sel < b.cards.as_ref().unwrap().sel,
                    "did not move up",
                )
            }),
        ),
        (C::Cards, A::OpenSearch) => (
            card_browser(),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(a.cards.as_ref().unwrap().typing, "not typing a filter")?;
                ok_if(a.ctx == C::Search, "keys are not text")
            }),
        ),
        (C::Cards, A::SuspendCard) => (
            card_browser(),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(a.cards.as_ref().unwrap().suspended, "not suspended")?;
                ok_if(a.screen.contains("suspended"), "the table does not say so")
            }),
        ),
        (C::Cards, A::Bury) => (
            card_browser(),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(a.cards.as_ref().unwrap().buried, "not buried")
            }),
        ),
        (C::Cards, A::ResetCard) => {
            // A card with a review, then reset: new again.
            let mut l = session();
            l.burst(&["Space", "3", "C", "g"]);
            let (sel, reviewed) = {
                let a = l.app();
                let b = a.cards().unwrap();
                let i = b
                    .rows
                    .iter()
                    .position(|&i| a.deck.states[i].is_some())
                    .unwrap();
                (i, true)
            };
            for _ in 0..sel {
                l.press("j");
            }
            assert!(reviewed);
            (
                l,
                check(|b, a, _| {
                    changed(b, a)?;
                    ok_if(
                        b.cards.as_ref().unwrap().reviewed && !a.cards.as_ref().unwrap().reviewed,
                        "the card is not new again",
                    )
                }),
            )
        }
        (C::Cards, A::OpenEntry) => (
            card_browser(),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(
                    a.cards.is_none() && a.focus == Focus::Detail,
                    "the trial is not open",
                )
            }),
        ),
        (C::Cards, A::Back) => (
            card_browser(),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(a.cards.is_none(), "still in the card browser")
            }),
        ),
        (C::Cards, A::OpenHelp) => (
            card_browser(),
            opens("help", "Every key, by where it works"),
        ),
        (C::Cards, A::Quit | A::ForceQuit) => (card_browser(), quits()),
        (C::Cards, A::Suspend) => (card_browser(), suspends()),
        (C::Quiz, A::OpenStats) => (session(), opens("stats", "Review statistics")),
        (C::Quiz, A::OpenHelp) => (session(), opens("help", "Every key, by where it works")),
        (C::Quiz, A::Quit | A::ForceQuit) => (session(), quits()),
        (C::Quiz, A::Suspend) => (session(), suspends()),

        // Rounds.
        (C::Rounds, A::Reveal) => (
            round(dir),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(
                    a.rounds.as_ref().unwrap().shown == b.rounds.as_ref().unwrap().shown + 1,
                    "nothing more revealed",
                )
            }),
        ),
        (C::Rounds, A::Down | A::Open) => (
            round(dir),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(
                    a.rounds.as_ref().unwrap().at == b.rounds.as_ref().unwrap().at + 1,
                    "not the next screen",
                )
            }),
        ),
        (C::Rounds, A::Up) => (
            round(dir),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(
                    a.rounds.as_ref().unwrap().at + 1 == b.rounds.as_ref().unwrap().at,
                    "not the previous screen",
                )
            }),
        ),
        (C::Rounds, A::Top) => (
            round(dir),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(a.rounds.as_ref().unwrap().at == 0, "not the title card")
            }),
        ),
        (C::Rounds, A::Bottom) => (
            round(dir),
            check(|b, a, l| {
                changed(b, a)?;
                let r = l.app().rounds().unwrap();
                ok_if(r.at + 1 == r.steps.len(), "not the last question")
            }),
        ),
        (C::Rounds, A::GoTo) => (
            round(dir),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(
                    a.rounds.as_ref().unwrap().goto == Some(String::new()),
                    "not waiting for a number",
                )?;
                ok_if(
                    a.screen.contains("go to question: _"),
                    "no prompt for the number",
                )
            }),
        ),
        (C::Rounds, A::Digit(n)) => {
            let n = *n as usize;
            let mut l = round(dir);
            l.press("g");
            (
                l,
                check(move |b, a, l| {
                    changed(b, a)?;
                    let r = l.app().rounds().unwrap();
                    ok_if(r.goto.is_none(), "still waiting for digits")?;
                    if (1..=r.questions.len()).contains(&n) {
                        ok_if(r.step() == Step::Question(n - 1), "not on that question")?;
                        ok_if(
                            a.screen
                                .lines()
                                .next()
                                .unwrap_or("")
                                .contains(&format!("{n} of 7")),
                            "the counter does not say it",
                        )
                    } else {
                        ok_if(
                            a.message
                                .as_deref()
                                .is_some_and(|m| m.contains(&format!("there is no question {n}"))),
                            "no word that there is no such question",
                        )?;
                        ok_if(
                            a.rounds.as_ref().unwrap().at == b.rounds.as_ref().unwrap().at,
                            "moved",
                        )
                    }
                }),
            )
        }
        (C::Rounds, A::QuestionList) => (
            round(dir),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(
                    a.rounds.as_ref().unwrap().list.is_some(),
                    "the list did not open",
                )?;
                ok_if(
                    a.screen.contains("Questions · Enter goes"),
                    "no list on screen",
                )?;
                ok_if(
                    a.screen.contains("7  Guideline Committee"),
                    "not every question listed",
                )
            }),
        ),
        (C::Rounds, A::CardDown) => (
            round_evidence(dir),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(
                    a.rounds.as_ref().unwrap().scroll == b.rounds.as_ref().unwrap().scroll + 1,
                    "the card did not scroll down",
                )?;
                ok_if(
                    a.screen.contains("↑ more above"),
                    "no mark of what is above",
                )
            }),
        ),
        (C::Rounds, A::CardUp) => {
            let mut l = round_evidence(dir);
            l.burst(&["J", "J"]);
            (
                l,
                check(|b, a, _| {
                    changed(b, a)?;
                    ok_if(
                        a.rounds.as_ref().unwrap().scroll + 1 == b.rounds.as_ref().unwrap().scroll,
                        "the card did not scroll up",
                    )
                }),
            )
        }
        (C::Rounds, A::NotesDown) => {
            let mut l = round(dir);
            l.press("p");
            (
                l,
                check(|b, a, _| {
                    changed(b, a)?;
                    ok_if(
                        a.rounds.as_ref().unwrap().notes_scroll
                            > b.rounds.as_ref().unwrap().notes_scroll,
                        "the notes did not scroll",
                    )
                }),
            )
        }
        (C::Rounds, A::NotesUp) => {
            let mut l = round(dir);
            l.burst(&["p", "]", "]"]);
            (
                l,
                check(|b, a, _| {
                    changed(b, a)?;
                    ok_if(
                        a.rounds.as_ref().unwrap().notes_scroll
                            < b.rounds.as_ref().unwrap().notes_scroll,
                        "the notes did not scroll back",
                    )
                }),
            )
        }
        (C::Rounds, A::Timer) => (
            round(dir),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(
                    a.rounds.as_ref().unwrap().timer_running,
                    "the countdown did not start",
                )
            }),
        ),
        (C::Rounds, A::TimerReset) => {
            let mut l = round(dir);
            l.press("t");
            l.wait(7);
            (
                l,
                check(|b, a, _| {
                    changed(b, a)?;
                    let (rb, ra) = (b.rounds.as_ref().unwrap(), a.rounds.as_ref().unwrap());
                    ok_if(
                        !ra.timer_running && ra.timer_left > rb.timer_left,
                        "the countdown was not reset",
                    )
                }),
            )
        }
        (C::Rounds, A::Learner) => (
            round(dir),
            check(|b, a, _| {
                changed(b, a)?;
                // (The name is drawn in block letters, so the screen's text cannot hold it.)
                ok_if(
                    a.rounds.as_ref().unwrap().learner.is_some(),
                    "nobody called on",
                )
            }),
        ),
        (C::Rounds, A::Notes) => (
            round(dir),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(a.rounds.as_ref().unwrap().notes, "the notes did not open")
            }),
        ),
        (C::Rounds, A::Blank) => (
            round(dir),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(a.rounds.as_ref().unwrap().blank, "not blank")?;
                ok_if(a.screen.trim().is_empty(), "something is still drawn")
            }),
        ),
        (C::Rounds, A::Handout) => (
            round(dir),
            check(|_, a, _| {
                ok_if(
                    a.message
                        .as_deref()
                        .is_some_and(|m| m.contains("wrote the handout")),
                    "no notice of the handout",
                )
            }),
        ),
        (C::Rounds, A::Back) => (
            round(dir),
            check(|b, a, _| {
                changed(b, a)?;
                ok_if(a.rounds.is_none(), "still in rounds")
            }),
        ),
        (C::Rounds, A::OpenHelp) => (round(dir), opens("help", "Every key, by where it works")),
        (C::Rounds, A::Quit | A::ForceQuit) => (round(dir), quits()),
        (C::Rounds, A::Suspend) => (round(dir), suspends()),
        _ => return None,
    })
}

#[test]
fn every_binding_in_every_context_does_what_it_says_through_the_loop() {
    let keymap = Keymap::default();
    let dir = tempfile::tempdir().unwrap();
    let mut problems = Vec::new();
    let mut walked = BTreeSet::new();
    for b in &keymap.bindings {
        for key in &b.keys {
            let label = key.label();
            let contexts: Vec<Context> = if b.ctx == Context::Global {
                // Global keys work in the list and in the detail panel.
                vec![Context::List, Context::Detail]
            } else {
                vec![b.ctx]
            };
            for ctx in contexts {
                let Some((l, check)) = scenario(b.ctx, &b.action, dir.path()) else {
                    problems.push(format!(
                        "{} `{label}` ({:?}): no stated effect — a binding nobody can explain",
                        b.ctx.name(),
                        b.action
                    ));
                    continue;
                };
                let mut l = if b.ctx == Context::Global {
                    focused(l, ctx)
                } else {
                    l
                };
                let before = seen(&l);
                assert_eq!(
                    before.ctx,
                    if b.ctx == Context::Global { ctx } else { b.ctx },
                    "{} `{label}`: the set-up is in the wrong context",
                    b.ctx.name()
                );
                l.press(&label);
                let after = seen(&l);
                if let Err(e) = check(&before, &after, &l) {
                    problems.push(format!(
                        "{} `{label}` ({:?}, in {:?}): {e}\n--- before\n{}--- after\n{}",
                        b.ctx.name(),
                        b.action,
                        ctx,
                        before.screen,
                        after.screen
                    ));
                }
                walked.insert((b.ctx.name(), label.clone()));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    let keys: usize = keymap.bindings.iter().map(|b| b.keys.len()).sum();
    assert_eq!(walked.len(), keys, "every key of every binding was pressed");
}

/// A Global scenario moved into the panel under test (Tab, which the walk checks too).
fn focused(mut l: Looped, ctx: Context) -> Looped {
    let want = if ctx == Context::List {
        Focus::List
    } else {
        Focus::Detail
    };
    if l.app().browse.focus != want && l.app().overlay.is_none() {
        l.press("Tab");
    }
    assert_eq!(l.app().browse.focus, want);
    l
}

#[test]
fn the_statistics_overlay_reads_the_help_keys() {
    use Action as A;
    for (action, key) in [
        (A::Down, "j"),
        (A::Down, "Down"),
        (A::PageDown, "PgDn"),
        (A::PageDown, "Space"),
        (A::Bottom, "G"),
        (A::Up, "k"),
        (A::PageUp, "PgUp"),
        (A::Top, "g"),
        (A::Back, "Esc"),
        (A::Back, "q"),
    ] {
        let mut l = stats();
        if matches!(action, A::Up | A::PageUp | A::Top) {
            l.press("G");
        }
        let before = seen(&l);
        l.press(key);
        let after = seen(&l);
        let ok = match action {
            A::Back => after.overlay == "none",
            A::Down | A::PageDown | A::Bottom => after.reader_scroll > before.reader_scroll,
            _ => after.reader_scroll < before.reader_scroll,
        };
        assert!(
            ok && before.screen != after.screen,
            "stats `{key}`:\n{}",
            after.screen
        );
    }
}

#[test]
fn typed_characters_go_into_the_search_box_not_to_commands() {
    let mut l = browser();
    l.press("/");
    for c in ["q", "?", "j", "/", "t", "1", "G"] {
        l.press(c);
    }
    assert_eq!(l.app().search().unwrap().query, "q?j/t1G");
    assert!(l.ended.is_none());
    assert!(l.screen().contains("q?j/t1G"));
}

/// The keys a rebinding test uses instead of the defaults.
fn rebound() -> Keymap {
    let mut o = std::collections::BTreeMap::new();
    for (k, v) in [
        ("detail.reveal", "v"),
        ("quiz.reveal", "v"),
        ("rounds.reveal", "v"),
        ("rounds.notes", "N"),
        ("quiz.good", "3"),
        ("quiz.tick_3", "F3"),
        ("help.down", "n"),
        ("help.back", "x"),
        ("detail.back", "Left"),
        ("detail.prev_section", "["),
    ] {
        o.insert(k.to_string(), v.to_string());
    }
    Keymap::with_overrides(&o).expect("valid overrides")
}

#[test]
fn text_that_names_a_key_follows_a_rebinding() {
    // The Discussion's hidden key response, and help's title.
    let mut app = App::new(bundled_library(), ThemeName::Dark).with_keymap(rebound());
    app.browse.focus = Focus::Detail;
    let mut l = Looped::new(app, W, H, NOW);
    l.press("9");
    let s = l.screen();
    assert!(s.contains("key response hidden: v reveals"), "{s}");
    assert!(!s.contains("Space reveals"), "{s}");
    l.press("?");
    let s = l.screen();
    assert!(s.contains("Help · n/k"), "{s}");
    assert!(s.contains("x closes"), "{s}");
    // A quiz card, front and back.
    let mut app = App::new(bundled_library(), ThemeName::Dark).with_keymap(rebound());
    app.start_quiz(Filter::default(), false);
    let mut l = Looped::new(app, W, H, NOW);
    let s = l.screen();
    assert!(s.contains("v reveals it"), "{s}");
    assert!(!s.contains("Space reveals"), "{s}");
    l.press("v");
    let s = l.screen();
    assert!(
        s.contains(" 3 "),
        "the grade row names the rebound Good key:\n{s}"
    );
    assert!(!s.contains(" g "), "{s}");
    // Rounds: the reveal hint and the notes' title.
    let mut app = App::new(bundled_library(), ThemeName::Dark).with_keymap(rebound());
    let e = app.lib.index_of("emilia").unwrap();
    app.start_rounds(e, RoundsOptions::default(), false);
    let mut l = Looped::new(app, W, H, NOW);
    l.burst(&["Right", "Right"]);
    let s = l.screen();
    assert!(s.contains("v reveals the next key point"), "{s}");
    l.press("N");
    assert!(
        l.screen().contains("Presenter notes · N closes"),
        "{}",
        l.screen()
    );
}
