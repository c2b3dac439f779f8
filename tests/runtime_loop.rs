//! The loop the binary runs (`Runtime::step`), driven with scripted terminal events on an
//! in-memory terminal: keys one at a time and in bursts, resizes, time passing. What the user
//! sees is read off the drawn screen. (`tests/keymap_walk.rs` walks every binding through the
//! same loop; the pty tests run the binary itself.)

mod common;

use common::{Looped, NOW, mini_library};
use std::time::{Duration, SystemTime};
use trialdeck::review::{CardId, Filter, Scheduler, Store};
use trialdeck::tui::app::{App, Overlay, Quiz, RoundsOptions};
use trialdeck::tui::runtime::Ending;
use trialdeck::tui::theme::ThemeName;

fn browser(w: u16, h: u16) -> Looped {
    Looped::new(App::new(mini_library(), ThemeName::Dark), w, h, NOW)
}

/// The lines of the overlay's body (inside its frame), as drawn.
fn overlay_rows(l: &Looped) -> Vec<String> {
    l.screen().lines().map(str::to_string).collect()
}

#[test]
fn help_opens_scrolls_clamps_and_closes_at_80x24() {
    let mut l = browser(80, 24);
    assert!(!l.screen().contains("Every key, by where it works"));
    l.press("?");
    let first = l.screen();
    assert!(first.contains("Every key, by where it works"), "{first}");
    // Still open after the next key, and scrolled by it.
    l.press("j");
    let second = l.screen();
    assert!(second.contains("Every key, by where it works"), "{second}");
    assert_ne!(first, second, "j scrolled the help");
    // A burst of keys leaves it open.
    l.burst(&["j", "j", "k"]);
    assert!(matches!(l.app().overlay, Some(Overlay::Help(_))));
    assert!(l.screen().contains("Every key, by where it works"));
    // Far past the end, then one key up moves the view at once (the scroll is clamped).
    l.burst(&["j"; 200]);
    let bottom = l.screen();
    assert!(
        bottom.contains("Markers"),
        "the last group is reached:\n{bottom}"
    );
    l.press("k");
    assert_ne!(l.screen(), bottom, "one k moves up from the end");
    l.press("G");
    assert_eq!(l.screen(), bottom, "G is the end");
    l.press("g");
    assert_eq!(l.screen(), first, "g is the top");
    l.press("Esc");
    assert!(!l.screen().contains("Every key, by where it works"));
    assert!(l.app().overlay.is_none());
}

#[test]
fn help_opens_on_every_screen() {
    // Browser list and detail.
    let mut l = browser(80, 24);
    l.press("?");
    assert!(l.screen().contains("Every key, by where it works"));
    l.press("Esc");
    l.press("Enter");
    l.press("?");
    assert!(l.screen().contains("Every key, by where it works"));
    l.press("q");
    assert!(l.app().overlay.is_none(), "q closes help");
    assert!(l.ended.is_none(), "…and does not quit");
    // The quiz builder and a running card.
    let mut l = browser(80, 24);
    l.press("Q");
    assert!(l.screen().contains("Start"), "{}", l.screen());
    l.press("?");
    assert!(l.screen().contains("Every key, by where it works"));
    l.press("Esc");
    l.press("Enter");
    assert!(matches!(l.app().quiz(), Some(Quiz::Running(_))));
    l.press("?");
    assert!(l.screen().contains("Every key, by where it works"));
    l.press("j");
    assert!(l.screen().contains("Every key, by where it works"));
    // Rounds.
    let mut app = App::new(mini_library(), ThemeName::HighContrast);
    app.start_rounds(0, RoundsOptions::default(), false);
    let mut l = Looped::new(app, 80, 24, NOW);
    l.press("?");
    assert!(l.screen().contains("Every key, by where it works"));
    l.press("j");
    assert!(l.screen().contains("Every key, by where it works"));
}

#[test]
fn statistics_scroll_to_their_last_section_and_back_and_clamp() {
    let mut l = browser(80, 24);
    l.press("S");
    let first = l.screen();
    assert!(first.contains("Review statistics"), "{first}");
    assert!(
        !first.contains("Retention by trial"),
        "the last section is below the fold at 80×24:\n{first}"
    );
    l.press("j");
    assert!(
        l.screen().contains("Review statistics"),
        "the first key scrolls, it does not close"
    );
    l.burst(&["j"; 100]);
    let end = l.screen();
    assert!(end.contains("Retention by trial"), "{end}");
    l.press("k");
    assert_ne!(
        l.screen(),
        end,
        "one k moves up from the end: the scroll is clamped"
    );
    l.press("G");
    assert_eq!(l.screen(), end);
    l.press("Home");
    assert_eq!(l.screen(), first);
    l.press("Esc");
    assert!(l.app().overlay.is_none());
    assert!(!l.screen().contains("Review statistics"));
}

#[test]
fn statistics_open_from_the_quiz_and_show_its_grades() {
    let mut app = App::new(mini_library(), ThemeName::Dark);
    app.attach_history(&Default::default(), Scheduler::default(), true, None);
    app.start_quiz(Filter::default(), false);
    let mut l = Looped::new(app, 100, 30, NOW);
    l.burst(&["Space", "3"]);
    l.press("S");
    let s = l.screen();
    assert!(s.contains("Review statistics"), "{s}");
    assert!(
        overlay_rows(&l).iter().any(|r| r.contains("1 in all")),
        "the grade just given is counted:\n{s}"
    );
}

#[test]
fn a_search_typed_in_one_burst_shows_its_hits_and_enter_opens_the_first() {
    let mut l = browser(100, 30);
    l.press("/");
    l.type_text("alpha");
    let s = l.screen();
    assert!(s.contains("ALPHA"), "{s}");
    assert!(!l.app().search_pending());
    // Typing and Enter in one burst: Enter acts on the hits of the whole query.
    l.burst(&["Bksp", "Bksp", "Enter"]);
    assert!(l.app().search().is_none(), "the hit opened");
    assert_eq!(l.app().browse.focus, trialdeck::tui::app::Focus::Detail);
}

#[test]
fn keys_typed_before_the_search_index_is_built_are_answered_once_it_is() {
    // As the binary runs: the index is built on its own thread after the first frame, and
    // `/` and a query were typed before that frame was even drawn.
    let app = App::new(mini_library(), ThemeName::Dark);
    let mut l = Looped::with_background_search(app, 100, 30, NOW, &["/", "a", "l", "p", "h", "a"]);
    let s = l.screen();
    // Either the index is not there yet and the overlay says so, or it came in the same turn
    // and the hits are shown: never a frozen screen.
    assert!(
        s.contains("Preparing the search index") || s.contains("ALPHA"),
        "{s}"
    );
    l.turn_until("the hits", |l| l.screen().contains("ALPHA"));
    assert!(!l.app().search_pending());
    assert!(!l.screen().contains("Preparing the search index"));
    // And the query typed first is the one answered.
    assert_eq!(l.app().search().map(|s| s.query.as_str()), Some("alpha"));
}

#[test]
fn a_resize_keeps_an_overlay_and_redraws_at_the_new_size() {
    let mut l = browser(80, 24);
    l.press("?");
    l.resize(120, 40);
    assert!(matches!(l.app().overlay, Some(Overlay::Help(_))));
    assert_eq!(l.app().size, (120, 40));
    assert_eq!(l.rt.console.buffer().area.width, 120);
    assert!(l.screen().contains("Every key, by where it works"));
}

#[test]
fn a_countdown_moves_with_the_clock_and_stops_asking_for_ticks_at_zero() {
    let mut app = App::new(mini_library(), ThemeName::HighContrast);
    app.start_rounds(
        0,
        RoundsOptions {
            timer: Duration::from_secs(20),
            ..RoundsOptions::default()
        },
        false,
    );
    let mut l = Looped::new(app, 100, 30, NOW);
    assert_eq!(l.app().wake_after(NOW), None, "no clock, no ticks");
    l.press("t");
    assert!(l.app().wake_after(l.app().now).is_some());
    l.wait(5);
    let left = |l: &Looped| {
        trialdeck::tui::lines::rounds::clock_text(l.app().rounds().unwrap(), l.app().now)
    };
    assert_eq!(left(&l), "0:15");
    assert!(
        l.screen().contains("last 30 seconds"),
        "the large clock:\n{}",
        l.screen()
    );
    l.wait(30);
    assert_eq!(
        l.app().wake_after(l.app().now),
        None,
        "a finished countdown asks for nothing more"
    );
}

#[test]
fn a_grade_and_its_undo_reach_the_history_through_the_loop() {
    let store = Store::no_save(Scheduler::default());
    let mut app = App::new(mini_library(), ThemeName::Dark);
    app.attach_history(&Default::default(), Scheduler::default(), false, None);
    app.start_quiz(Filter::default(), false);
    let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let mut l = Looped::with_store(app, store, 100, 30, t);
    let card = |l: &Looped| match l.app().quiz() {
        Some(Quiz::Running(s)) => l.app().deck.cards[s.card().unwrap()].id.clone(),
        _ => panic!("no card"),
    };
    let first = card(&l);
    l.burst(&["Space", "3"]);
    let second = card(&l);
    l.burst(&["Space", "4"]);
    let stored = |l: &Looped, c: &CardId| l.rt.services.store().state(c).unwrap();
    assert!(stored(&l, &first).is_some());
    assert!(stored(&l, &second).is_some());
    assert_eq!(
        l.app().deck.states[l.app().deck.index.get(second.as_str()).unwrap()],
        stored(&l, &second),
        "the app shows the state the store computed"
    );
    l.press("u");
    assert!(
        stored(&l, &second).is_none(),
        "the last review is taken back"
    );
    assert!(stored(&l, &first).is_some(), "the earlier one stays");
    assert_eq!(card(&l), second, "its card is shown again");
    assert!(l.bottom().contains("undone"), "{}", l.bottom());
}

#[test]
fn the_handout_is_written_when_the_round_ends_by_quit_or_by_signal() {
    for by_signal in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("round.md");
        let mut app = App::new(mini_library(), ThemeName::HighContrast);
        app.start_rounds(
            0,
            RoundsOptions {
                handout: Some(path.clone()),
                ..RoundsOptions::default()
            },
            false,
        );
        let mut l = Looped::new(app, 100, 30, NOW);
        l.burst(&["Right", "Right"]);
        if by_signal {
            l.rt.stop_flag()
                .store(libc::SIGHUP, std::sync::atomic::Ordering::SeqCst);
            l.turn();
            assert_eq!(l.ended, Some(Ending::Signal(libc::SIGHUP)));
        } else {
            l.press("q");
            assert_eq!(l.ended, Some(Ending::Quit));
        }
        assert!(!path.exists(), "nothing is written before the session ends");
        let notice = l.rt.finish().expect("a notice for the shell");
        assert!(notice.contains("wrote the handout to"), "{notice}");
        let md = std::fs::read_to_string(&path).expect("the handout");
        assert!(md.starts_with("# ALPHA"), "{md}");
        assert!(md.contains("What did ALPHA compare"), "{md}");
    }
}

#[test]
fn ctrl_z_asks_the_console_to_suspend_and_the_screen_is_drawn_again() {
    let mut l = browser(80, 24);
    l.press("Ctrl+Z");
    assert_eq!(l.rt.console.suspended, 1);
    assert!(l.ended.is_none());
    assert!(l.screen().contains("ALPHA"));
}

#[test]
fn an_entry_is_built_into_its_document_once_however_many_keys_read_it() {
    let mut l = Looped::new(
        App::new(common::bundled_library(), ThemeName::Dark),
        100,
        30,
        NOW,
    );
    l.press("Enter");
    l.press("2");
    let built = l.app().browse.docs.builds();
    assert!(built >= 1);
    // Selecting, scrolling, switching sections and revealing read the same document.
    l.burst(&["j"; 6]);
    for k in ["k", "PgDn", "g", "3", "9", "j", "Space", "x", "1"] {
        l.press(k);
    }
    assert_eq!(
        l.app().browse.docs.builds(),
        built,
        "no key on the same entry builds its document again"
    );
    // Another entry: one more.
    l.press("Esc");
    l.press("j");
    assert_eq!(l.app().browse.docs.builds(), built + 1);
}

#[test]
fn the_quiz_builder_counts_when_the_choice_changes_not_per_frame() {
    let mut l = browser(100, 30);
    l.press("Q");
    let tally = |l: &Looped| match l.app().quiz() {
        Some(Quiz::Building(b)) => (b.tally.all.total, b.tally.session),
        _ => panic!("not the builder"),
    };
    let all = tally(&l);
    assert!(all.0 > 0 && all.1 > 0, "{all:?}");
    assert!(
        l.screen().contains(&format!("= {} cards", all.1)),
        "{}",
        l.screen()
    );
    // Choose the first role alone: fewer cards, and the screen says so.
    let role_row = match l.app().quiz() {
        Some(Quiz::Building(b)) => b
            .rows()
            .iter()
            .position(|r| matches!(r, trialdeck::tui::app::BuilderRow::Role(_)))
            .unwrap(),
        _ => unreachable!(),
    };
    for _ in 0..role_row {
        l.press("j");
    }
    l.press("Space");
    let one = tally(&l);
    assert!(one.0 < all.0, "{one:?} vs {all:?}");
    assert!(
        l.screen().contains(&format!("= {} card", one.1)),
        "{}",
        l.screen()
    );
}

/// A generated pack with its image written, opened from the image before looking at its
/// files (as the binary's warm start does), and entry `edit`'s title changed on disk after.
fn opened_then_edited(
    tmp: &std::path::Path,
    edit: impl Fn(&App) -> Option<String>,
) -> (App, trialdeck::content::Cache) {
    use trialdeck::content::{Cache, PackSource, open_unverified};
    let dir = tmp.join("pack");
    trialdeck::dev::generate::gen_pack(30, 5, &dir).unwrap();
    common::files::age(&dir);
    let cache = Cache::at(tmp.join("cache"));
    let sources = [PackSource::Dir(dir.clone())];
    trialdeck::pack::load_with(&sources, &cache).unwrap();
    let opened = open_unverified(&sources, &cache).expect("the image holds the pack");
    let app = App::new(opened.library, ThemeName::Dark);
    if let Some(id) = edit(&app) {
        let path = dir.join(format!("{id}.ron"));
        common::files::rewrite_aged(&path, "title: \"", "title: \"Edited ");
    }
    (app, cache)
}

fn current_id(app: &App) -> Option<String> {
    let i = app.browse.current()?;
    Some(app.lib.entries.row(i).id.to_string())
}

#[test]
fn a_pack_edited_since_its_image_is_drawn_at_once_then_reloaded_on_the_same_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let (app, _cache) = opened_then_edited(tmp.path(), current_id);
    let id = current_id(&app).unwrap();
    let mut l = Looped::with_background_search(app, 120, 30, NOW, &[]);
    // The first frame is the image's; the files are looked at after it, and the edit shows.
    l.turn_until("the reload", |l| l.screen().contains("Edited "));
    let s = l.screen();
    assert!(s.contains("reloaded"), "the footer says so:\n{s}");
    assert_eq!(
        current_id(l.app()).as_deref(),
        Some(id.as_str()),
        "same entry"
    );
    // The search index is the new library's.
    l.press("/");
    for k in ["E", "d", "i", "t", "e", "d"] {
        l.press(k);
    }
    l.turn_until("the hits", |l| {
        l.app().search().is_some_and(|s| !s.hits.is_empty())
    });
    l.press("Enter");
    assert_eq!(current_id(l.app()).as_deref(), Some(id.as_str()));
}

#[test]
fn a_search_typed_while_the_files_are_looked_at_is_answered_from_the_library_that_stands() {
    let tmp = tempfile::tempdir().unwrap();
    let (app, _cache) = opened_then_edited(tmp.path(), current_id);
    let mut l =
        Looped::with_background_search(app, 120, 30, NOW, &["/", "E", "d", "i", "t", "e", "d"]);
    l.turn_until("the hits", |l| {
        l.app().search().is_some_and(|s| !s.hits.is_empty())
    });
    assert_eq!(l.app().search().map(|s| s.query.as_str()), Some("Edited"));
    assert!(!l.screen().contains("Preparing the search index"));
}

#[test]
fn an_unchanged_pack_is_not_reloaded_and_a_quiz_keeps_the_library_it_started_with() {
    let tmp = tempfile::tempdir().unwrap();
    let (app, _cache) = opened_then_edited(tmp.path(), |_| None);
    let before = std::sync::Arc::clone(&app.lib);
    let mut l = Looped::with_background_search(app, 120, 30, NOW, &[]);
    l.turn_until("the search index", |l| l.app().highlighter().is_some());
    assert!(
        std::sync::Arc::ptr_eq(&before, &l.app().lib),
        "nothing changed"
    );
    assert!(!l.screen().contains("reloaded"));

    let tmp = tempfile::tempdir().unwrap();
    let (mut app, _cache) = opened_then_edited(tmp.path(), current_id);
    app.attach_history(&Default::default(), Scheduler::default(), true, None);
    app.start_quiz(Filter::default(), false);
    let before = std::sync::Arc::clone(&app.lib);
    let mut l = Looped::with_background_search(app, 120, 30, NOW, &[]);
    l.turn_until("the notice", |l| l.screen().contains("quit and reopen"));
    assert!(
        std::sync::Arc::ptr_eq(&before, &l.app().lib),
        "the quiz's cards stand"
    );
}
