//! The room's screen through the loop the binary runs, on EMILIA: it never shows a key point
//! or the key response before its reveal, on any card, at projector sizes; `g 5` lands on
//! question 5 of 7; at 120×35 nothing on the evidence card is lost without a "more" mark;
//! and every character rounds draw (room and presenter) has a glyph in DejaVu Sans Mono.

mod common;

use common::{Looped, NOW, bundled_library};
use std::collections::BTreeSet;
use trialdeck::link::{Presenter, Room, ToPresenter};
use trialdeck::tui::app::{App, RoundsOptions, Step};
use trialdeck::tui::runtime::Link;
use trialdeck::tui::theme::ThemeName;

fn emilia(w: u16, h: u16) -> Looped {
    let mut app = App::new(bundled_library(), ThemeName::HighContrast);
    let e = app.lib.index_of("emilia").unwrap();
    app.start_rounds(
        e,
        RoundsOptions {
            learners: vec!["Ana".into(), "Ben".into()],
            ..RoundsOptions::default()
        },
        false,
    );
    Looped::new(app, w, h, NOW)
}

/// A screen's text as one run of words.
fn words(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Runs of six words of `text` (what would show if any line of it were drawn).
fn phrases(text: &str) -> Vec<String> {
    let w: Vec<&str> = text.split_whitespace().collect();
    w.windows(6).map(|x| x.join(" ")).collect()
}

#[test]
fn the_room_never_shows_a_key_point_or_the_key_response_before_its_reveal() {
    for (w, h) in [(100, 30), (120, 35), (200, 50)] {
        let mut l = emilia(w, h);
        let steps = l.app().rounds().unwrap().steps.len();
        for step in 0..steps {
            let (q, n) = {
                let r = l.app().rounds().unwrap();
                assert_eq!(r.at, step);
                match r.question() {
                    Some(q) => (Some(q.clone()), q.key_points.len()),
                    None => (None, 0),
                }
            };
            if let Some(q) = q {
                // Before each reveal, nothing not yet revealed is on screen; the card is
                // scrolled through to its end each time, so nothing hides below either.
                for shown in 0..=n + 1 {
                    let mut seen = l.screen();
                    for _ in 0..40 {
                        if !l.screen().contains("↓ more below") {
                            break;
                        }
                        l.press("J");
                        seen.push_str(&l.screen());
                    }
                    // (A hyphenated word may wrap at its hyphen: "open-" / "label".)
                    let seen = words(&seen).replace("- ", "-");
                    // What may show: the prompt and the points revealed (a hidden text may
                    // share a phrase with them).
                    let mut allowed = q.prompt.clone();
                    for k in q.key_points.iter().take(shown) {
                        allowed.push(' ');
                        allowed.push_str(k);
                    }
                    let allowed = words(&allowed);
                    let seen_alone = |p: &str| seen.contains(p) && !allowed.contains(p);
                    for (i, k) in q.key_points.iter().enumerate() {
                        let hidden = i >= shown;
                        for p in phrases(k)
                            .iter()
                            .chain([&words(k)].into_iter().filter(|k| k.split(' ').count() < 6))
                        {
                            if hidden {
                                assert!(
                                    !seen_alone(p),
                                    "{w}×{h}, step {step}, {shown} shown: point {} is on screen:\n{}",
                                    i + 1,
                                    l.screen()
                                );
                            }
                        }
                    }
                    let response_shown = shown > n;
                    // (The check can fail: once revealed, the response is there.)
                    let missing: Vec<String> = phrases(&q.key_response)
                        .into_iter()
                        .filter(|p| !seen.contains(p.as_str()))
                        .collect();
                    assert_eq!(
                        missing.is_empty(),
                        response_shown,
                        "{w}×{h}, step {step}, {shown} shown: {:?}\n{}",
                        missing.first(),
                        l.screen()
                    );
                    for p in phrases(&q.key_response) {
                        if !response_shown {
                            assert!(
                                !seen_alone(&p),
                                "{w}×{h}, step {step}, {shown} shown: the key response is on screen:\n{}",
                                l.screen()
                            );
                        }
                    }
                    if shown <= n {
                        l.press("Space");
                    }
                }
            }
            l.press("Right");
        }
    }
}

#[test]
fn g_5_lands_on_question_5_of_7() {
    let mut l = emilia(100, 30);
    l.press("g");
    assert!(l.bottom().contains("go to question: _"), "{}", l.bottom());
    l.press("5");
    let r = l.app().rounds().unwrap();
    assert_eq!(r.step(), Step::Question(4));
    assert_eq!(r.counter().as_deref(), Some("PhD · 5 of 7"));
    assert!(l.top().contains("PhD · 5 of 7"), "{}", l.top());
    // g then a number that is not a question says so and stays.
    l.burst(&["g", "9"]);
    assert!(
        l.bottom()
            .contains("there is no question 9: this round has 7 questions")
    );
    assert_eq!(l.app().rounds().unwrap().step(), Step::Question(4));
    // Esc forgets a g; the question list picks one with Enter.
    l.burst(&["g", "Esc"]);
    assert!(l.app().rounds().unwrap().goto.is_none());
    l.press("Q");
    assert!(l.screen().contains("Questions · Enter goes · Esc closes"));
    assert!(l.screen().contains("▶ 5  PhD — Control patients"));
    l.burst(&["Down", "Down", "Enter"]);
    assert!(
        l.top().contains("Guideline Committee · 7 of 7"),
        "{}",
        l.top()
    );
    assert!(!l.screen().contains("Questions · Enter goes"));
}

#[test]
fn help_in_rounds_names_the_terminal_zoom_key_and_a_resize_redraws_to_fit() {
    let mut l = emilia(100, 30);
    l.burst(&["g", "1"]);
    l.press("?");
    let mut seen = l.screen();
    for _ in 0..30 {
        if seen.contains("Ctrl+=") {
            break;
        }
        l.press("PgDn");
        seen.push_str(&l.screen());
    }
    assert!(seen.contains("On a projector"), "{seen}");
    assert!(
        seen.contains("zoom: most terminals enlarge their text"),
        "{seen}"
    );
    l.press("Esc");
    // What zooming does to the app: another grid, and the question is set again to fit —
    // ordinary type at 100×30 where it is long, block type at 200×50.
    let prompt = "EMILIA reports median progression-free survival";
    assert!(l.screen().contains(prompt), "{}", l.screen());
    l.resize(200, 50);
    assert!(!l.screen().contains(prompt), "{}", l.screen());
    assert!(l.screen().contains("▀"), "{}", l.screen());
    l.resize(100, 30);
    assert!(l.screen().contains(prompt), "{}", l.screen());
}

#[test]
fn at_120x35_nothing_on_the_evidence_card_is_lost_without_a_more_mark() {
    let mut l = emilia(120, 35);
    l.press("Right");
    assert_eq!(l.app().rounds().unwrap().step(), Step::Evidence);
    // Everything the card holds, as rows of text.
    let rows: Vec<String> = {
        let a = l.app();
        let r = a.rounds().unwrap();
        let areas = trialdeck::tui::lines::rounds::room(a.size, r, a.now);
        let look = a.look();
        trialdeck::tui::lines::rounds::card(&a.lib, r, areas.card.width, areas.card.height, look)
            .rows
            .iter()
            .filter_map(|row| match row {
                trialdeck::tui::lines::rounds::Row::Line(line) => Some(line.to_string()),
                _ => None,
            })
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect()
    };
    assert!(
        rows.iter().any(|r| r.starts_with("Cardiac dysfunction")),
        "{rows:?}"
    );
    // It does not fit: the first screen says there is more, and J scrolls to the end, where
    // the mark goes and the cardiac bars show.
    assert!(
        l.screen().contains("↓ more below · J scrolls down"),
        "{}",
        l.screen()
    );
    let mut seen = l.screen();
    let mut presses = 0;
    while l.screen().contains("↓ more below") {
        l.press("J");
        seen.push_str(&l.screen());
        presses += 1;
        assert!(presses < 200, "J never reaches the end");
    }
    assert!(
        l.screen().contains("↑ more above · K scrolls up"),
        "{}",
        l.screen()
    );
    assert!(l.screen().contains("Cardiac dysfunction"), "{}", l.screen());
    for r in &rows {
        assert!(seen.contains(r.as_str()), "{r:?} is never on screen");
    }
    // J past the end does nothing, and K comes straight back up.
    let end = l.app().rounds().unwrap().scroll;
    l.burst(&["J", "J", "J"]);
    assert_eq!(l.app().rounds().unwrap().scroll, end);
    l.press("K");
    assert_eq!(l.app().rounds().unwrap().scroll, end - 1);
}

// ---------------------------------------------------------------------------------------------
// Glyphs

/// The code points DejaVu Sans Mono draws (from `scripts/dejavu-charset.sh`).
fn dejavu() -> Vec<(u32, u32)> {
    let text = include_str!("fixtures/dejavu-sans-mono.charset");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (a, b) = l.split_once('-').unwrap_or((l, l));
            (
                u32::from_str_radix(a.trim(), 16).unwrap(),
                u32::from_str_radix(b.trim(), 16).unwrap(),
            )
        })
        .collect()
}

fn chars_of(l: &Looped, into: &mut BTreeSet<char>) {
    into.extend(l.screen().chars().filter(|c| *c != '\n'));
}

#[test]
fn every_character_rounds_draw_has_a_glyph_in_dejavu_sans_mono() {
    let set = dejavu();
    assert!(set.len() > 100, "the charset fixture is read");
    let has = |c: char| set.iter().any(|(a, b)| (*a..=*b).contains(&(c as u32)));
    assert!(
        !has('⏱'),
        "the old timer glyph is not in the font (the test can fail)"
    );
    let mut drawn = BTreeSet::new();
    // The room: every card, revealed, a learner, the countdown in its states, the notes,
    // the question list, g, the Time card.
    for (w, h) in [(100, 30), (120, 35), (200, 50)] {
        let mut l = emilia(w, h);
        chars_of(&l, &mut drawn);
        for _ in 0..9 {
            l.press("Right");
            chars_of(&l, &mut drawn);
            l.burst(&["Space", "Space"]);
            chars_of(&l, &mut drawn);
        }
        l.burst(&["Space", "Space", "Space", "Space", "l", "t"]);
        chars_of(&l, &mut drawn);
        l.wait(100);
        chars_of(&l, &mut drawn);
        l.wait(30);
        chars_of(&l, &mut drawn);
        l.press("p");
        chars_of(&l, &mut drawn);
        l.burst(&["]", "Q"]);
        chars_of(&l, &mut drawn);
        l.burst(&["Esc", "g"]);
        chars_of(&l, &mut drawn);
        l.burst(&["Esc", "Home", "Right", "J"]);
        chars_of(&l, &mut drawn);
        l.press("?");
        chars_of(&l, &mut drawn);
    }
    // The presenter, at its sizes.
    let dir = tempfile::tempdir().unwrap();
    let mut room = emilia(200, 50);
    room.rt
        .services
        .attach_link(Link::Room(Room::open_in(dir.path(), "g", vec![]).unwrap()))
        .unwrap();
    room.turn();
    for (w, h) in [(120, 40), (100, 30), (80, 24)] {
        let (link, hello) = Presenter::connect_in(dir.path(), "g").unwrap();
        let ToPresenter::Hello { state, .. } = hello else {
            panic!()
        };
        let mut app = App::new(bundled_library(), ThemeName::Dark);
        app.start_presenter("g", &state).unwrap();
        let mut p = Looped::new(app, w, h, NOW);
        p.rt.services.attach_link(Link::Presenter(link)).unwrap();
        for keys in [
            &["Right", "Right"][..],
            &["Space", "l"],
            &["]", "]", "t"],
            &["Q"],
            &["Esc", "g"],
        ] {
            p.burst(keys);
            p.idle(40);
            chars_of(&p, &mut drawn);
        }
        p.press("q");
    }
    let missing: Vec<String> = drawn
        .iter()
        .filter(|c| !has(**c))
        .map(|c| format!("{c:?} U+{:04X}", *c as u32))
        .collect();
    assert!(
        missing.is_empty(),
        "drawn but not in DejaVu Sans Mono: {missing:?}"
    );
}
