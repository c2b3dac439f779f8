//! `App::update` and the keymap, tested directly on the fictional mini pack (no terminal).
//!
//! The mini pack has two entries in pack order: the trial ALPHA (three questions: medical
//! student, resident, PhD) and the topic "Drug A mechanism", linked to each other.

mod common;

use common::{app, apply, render, screen_text, type_query};
use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use trialdeck::action::Action;
use trialdeck::app::{App, Focus, Place, Section};
use trialdeck::content::Role;
use trialdeck::keymap::{Context, lookup, map_event};
use trialdeck::search::Kind as HitKind;

const ALPHA: usize = 0;
const TOPIC: usize = 1;

fn key(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

fn ch(c: char) -> KeyEvent {
    key(KeyCode::Char(c))
}

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

/// Press a key the way the runtime does: map it in the app's current context, then update.
fn press(app: &mut App, k: KeyEvent) {
    if let Some(a) = map_event(app.context(), &Event::Key(k)) {
        app.update(a);
    }
}

fn press_all(app: &mut App, keys: &[KeyEvent]) {
    for k in keys {
        press(app, *k);
    }
}

fn type_keys(app: &mut App, s: &str) {
    for c in s.chars() {
        press(app, ch(c));
    }
}

fn entry_id(app: &App) -> &str {
    &app.lib.entries[app.current().expect("an entry")].id
}

fn goto_section(app: &mut App, s: Section) {
    for _ in 0..Section::ALL.len() {
        if app.section == s {
            return;
        }
        app.update(Action::NextSection);
    }
    assert_eq!(app.section, s);
}

// --- list -------------------------------------------------------------------------------------

#[test]
fn list_navigation_stays_in_bounds() {
    let mut a = app(80, 24);
    assert_eq!(a.context(), Context::List);
    assert_eq!(a.list_sel, 0);
    press(&mut a, ch('k'));
    assert_eq!(a.list_sel, 0, "k at the top stays");
    press(&mut a, ch('j'));
    assert_eq!(a.list_sel, 1);
    press(&mut a, ch('j'));
    press(&mut a, key(KeyCode::Down));
    assert_eq!(a.list_sel, 1, "j at the bottom stays");
    press(&mut a, ch('g'));
    assert_eq!(a.list_sel, 0);
    press(&mut a, ch('G'));
    assert_eq!(a.list_sel, 1);
    press(&mut a, key(KeyCode::Home));
    assert_eq!(a.list_sel, 0);
    press(&mut a, key(KeyCode::PageDown));
    assert_eq!(a.list_sel, 1, "PageDown clamps to the last row");
    press(&mut a, key(KeyCode::PageDown));
    assert_eq!(a.list_sel, 1);
    press(&mut a, key(KeyCode::PageUp));
    assert_eq!(a.list_sel, 0, "PageUp clamps to the first row");
    press(&mut a, ctrl('d'));
    assert_eq!(a.list_sel, 1);
    press(&mut a, ctrl('u'));
    assert_eq!(a.list_sel, 0);
    assert_eq!(a.focus, Focus::List);
}

#[test]
fn moving_in_the_list_resets_the_detail_position() {
    let mut a = app(80, 24);
    apply(&mut a, [Action::Open, Action::Down, Action::Down]);
    assert_eq!(a.scroll, 2);
    apply(&mut a, [Action::SwitchPanel, Action::Down]);
    assert_eq!((a.list_sel, a.scroll, a.item), (1, 0, 0));
}

#[test]
fn enter_opens_the_detail_and_tab_switches_panels() {
    let mut a = app(80, 24);
    press(&mut a, key(KeyCode::Enter));
    assert_eq!(a.focus, Focus::Detail);
    assert_eq!(a.context(), Context::Detail);
    assert_eq!(a.section, Section::Overview);
    press(&mut a, key(KeyCode::Tab));
    assert_eq!(a.focus, Focus::List);
    press(&mut a, key(KeyCode::BackTab));
    assert_eq!(a.focus, Focus::Detail);
    press(&mut a, key(KeyCode::Tab));
    press(&mut a, ch('l'));
    assert_eq!(a.focus, Focus::Detail, "l opens from the list too");
}

#[test]
fn sort_cycles_and_keeps_the_selection() {
    let mut a = app(80, 24);
    a.update(Action::Down);
    let before = entry_id(&a).to_string();
    for _ in 0..3 {
        press(&mut a, ch('s'));
        assert_eq!(entry_id(&a), before);
        assert!(a.message.as_deref().unwrap_or("").starts_with("sorted by"));
    }
    assert_eq!(
        a.order,
        vec![ALPHA, TOPIC],
        "three presses return to pack order"
    );
}

// --- sections ---------------------------------------------------------------------------------

#[test]
fn section_cycling_wraps_both_ways() {
    let mut a = app(80, 24);
    a.update(Action::Open);
    press(&mut a, ch('h'));
    assert_eq!(
        a.section,
        Section::Discussion,
        "h from the first section wraps to the last"
    );
    press(&mut a, ch('l'));
    assert_eq!(
        a.section,
        Section::Overview,
        "l from the last section wraps to the first"
    );
    for (i, s) in Section::ALL.iter().enumerate().skip(1) {
        press(
            &mut a,
            if i % 2 == 0 {
                ch(']')
            } else {
                key(KeyCode::Right)
            },
        );
        assert_eq!(a.section, *s);
    }
    press(&mut a, ch('['));
    assert_eq!(a.section, Section::Sources);
    press(&mut a, key(KeyCode::Left));
    assert_eq!(a.section, Section::Discrepancies);
}

#[test]
fn changing_section_resets_scroll_and_item() {
    let mut a = app(80, 24);
    apply(&mut a, [Action::Open, Action::Down, Action::Down]);
    assert_eq!(a.scroll, 2);
    a.update(Action::NextSection);
    assert_eq!((a.scroll, a.item), (0, 0));
}

#[test]
fn detail_scroll_is_clamped_to_what_was_drawn() {
    let mut a = app(80, 24);
    a.update(Action::Open);
    let _ = render(&a);
    let max = a.view_max_scroll.get();
    assert!(max > 0, "the overview of ALPHA is longer than 80x24");
    apply(&mut a, std::iter::repeat_n(Action::Down, max as usize + 10));
    assert_eq!(a.scroll, max);
    a.update(Action::Bottom);
    assert_eq!(a.scroll, max);
    a.update(Action::Top);
    assert_eq!(a.scroll, 0);
    a.update(Action::Up);
    assert_eq!(a.scroll, 0);
}

// --- discussion -------------------------------------------------------------------------------

#[test]
fn space_reveals_and_hides_the_selected_question() {
    let mut a = app(80, 24);
    a.update(Action::Open);
    goto_section(&mut a, Section::Discussion);
    let first = a.visible_questions()[0].id.clone();
    assert_eq!(first, "alpha-student");
    press(&mut a, ch(' '));
    assert!(a.revealed.contains(&first));
    assert!(screen_text(&render(&a)).contains("Key response"));
    press(&mut a, ch(' '));
    assert!(!a.revealed.contains(&first));
    assert!(!screen_text(&render(&a)).contains("Key response"));

    // j moves to the next question; Space reveals that one only.
    press(&mut a, ch('j'));
    assert_eq!(a.item, 1);
    press(&mut a, ch(' '));
    assert_eq!(
        a.revealed.iter().cloned().collect::<Vec<_>>(),
        vec!["alpha-resident".to_string()]
    );
    press(&mut a, ch('j'));
    press(&mut a, ch('j'));
    assert_eq!(a.item, 2, "j stops at the last question");
}

#[test]
fn space_elsewhere_jumps_to_the_discussion_without_revealing() {
    let mut a = app(80, 24);
    a.update(Action::Open);
    goto_section(&mut a, Section::Findings);
    press(&mut a, ch(' '));
    assert_eq!(a.section, Section::Discussion);
    assert_eq!(a.item, 0);
    assert!(a.revealed.is_empty());
}

#[test]
fn role_filter_cycles_through_all_seven_and_back() {
    let mut a = app(80, 24);
    a.update(Action::Open);
    assert_eq!(a.role, None);
    for want in Role::ALL {
        press(&mut a, ch('r'));
        assert_eq!(a.role, Some(want));
        assert_eq!(a.section, Section::Discussion, "r shows the discussion");
        assert_eq!(a.item, 0);
        let qs = a.visible_questions();
        assert!(qs.iter().all(|q| q.role == want), "{want:?}: {qs:?}");
        let expected = match want {
            Role::MedicalStudent | Role::Resident | Role::PhD => 1,
            _ => 0,
        };
        assert_eq!(qs.len(), expected, "{want:?}");
        assert_eq!(a.item_count(), expected);
        let text = screen_text(&render(&a));
        assert!(
            text.contains(&format!("showing {} only", want.label())),
            "{text}"
        );
        if expected == 0 {
            assert!(text.contains("No question for this role here."), "{text}");
            // Space with nothing selected does nothing.
            press(&mut a, ch(' '));
            assert!(a.revealed.is_empty());
        }
    }
    press(&mut a, ch('r'));
    assert_eq!(a.role, None, "after the last role the filter clears");
    assert_eq!(a.visible_questions().len(), 3);
}

#[test]
fn clear_role_and_set_role() {
    let mut a = app(80, 24);
    a.update(Action::Open);
    a.update(Action::SetRole(Some(Role::PhD)));
    assert_eq!(a.visible_questions().len(), 1);
    press(&mut a, ch('R'));
    assert_eq!(a.role, None);
    assert_eq!(a.visible_questions().len(), 3);
}

#[test]
fn questions_are_in_ladder_order() {
    let mut a = app(80, 24);
    a.update(Action::Open);
    let roles: Vec<Role> = a.visible_questions().iter().map(|q| q.role).collect();
    assert_eq!(roles, vec![Role::MedicalStudent, Role::Resident, Role::PhD]);
}

// --- related links ----------------------------------------------------------------------------

#[test]
fn following_a_related_link_then_back_returns_exactly() {
    let mut a = app(80, 24);
    a.update(Action::Open);
    goto_section(&mut a, Section::Related);
    let before: Place = a.place();
    assert_eq!(before.entry, ALPHA);
    press(&mut a, key(KeyCode::Enter));
    assert_eq!(entry_id(&a), "ab-mechanism");
    assert_eq!(a.current(), Some(TOPIC));
    assert_eq!(a.list_sel, 1, "the list follows the link");
    assert_eq!(
        (a.focus, a.section, a.scroll, a.item),
        (Focus::Detail, Section::Overview, 0, 0)
    );
    assert_eq!(a.history.len(), 1);

    // Move around in the target, then follow its link back to ALPHA, and unwind.
    goto_section(&mut a, Section::Related);
    let middle = a.place();
    press(&mut a, key(KeyCode::Enter));
    assert_eq!(a.current(), Some(ALPHA));
    assert_eq!(a.history.len(), 2);
    press(&mut a, key(KeyCode::Backspace));
    assert_eq!(a.place(), middle);
    press(&mut a, key(KeyCode::Esc));
    assert_eq!(a.place(), before);
    assert!(a.history.is_empty());
    // With no history, Back returns to the list.
    press(&mut a, key(KeyCode::Esc));
    assert_eq!(a.focus, Focus::List);
}

#[test]
fn enter_outside_related_follows_nothing() {
    let mut a = app(80, 24);
    a.update(Action::Open);
    let before = a.place();
    press(&mut a, key(KeyCode::Enter));
    assert_eq!(a.place(), before);
    assert!(a.history.is_empty());
}

// --- search -----------------------------------------------------------------------------------

#[test]
fn search_esc_returns_to_the_same_place() {
    let mut a = app(80, 24);
    apply(&mut a, [Action::Down, Action::Open, Action::NextSection]);
    apply(
        &mut a,
        [Action::SwitchPanel, Action::Up, Action::SwitchPanel],
    );
    apply(&mut a, [Action::Down, Action::Down]);
    let before = a.place();
    assert_eq!(
        (before.entry, before.section, before.scroll),
        (ALPHA, Section::Findings, 2)
    );
    press(&mut a, ch('/'));
    assert_eq!(a.context(), Context::Search);
    type_keys(&mut a, "qj/? t");
    assert_eq!(
        a.search.as_ref().unwrap().query,
        "qj/? t",
        "keys are text while searching"
    );
    assert!(!a.quit);
    press(&mut a, key(KeyCode::Esc));
    assert!(a.search.is_none());
    assert_eq!(a.place(), before);
    assert!(a.history.is_empty(), "Esc does not add history");
}

#[test]
fn search_editing_keys() {
    let mut a = app(80, 24);
    press(&mut a, ch('/'));
    type_keys(&mut a, "alphx");
    press(&mut a, key(KeyCode::Backspace));
    type_keys(&mut a, "a");
    assert_eq!(a.search.as_ref().unwrap().query, "alpha");
    a.update(Action::SearchPaste("\u{1b}[31m x\ny".into()));
    assert_eq!(
        a.search.as_ref().unwrap().query,
        "alpha[31m xy",
        "control characters are dropped from pastes"
    );
    press(&mut a, ctrl('w'));
    assert_eq!(a.search.as_ref().unwrap().query, "");
    a.update(Action::SearchInput('\u{7}'));
    assert_eq!(
        a.search.as_ref().unwrap().query,
        "",
        "control characters are not typed"
    );
}

#[test]
fn search_selection_stays_in_bounds() {
    let mut a = app(80, 24);
    a.update(Action::OpenSearch);
    type_query(&mut a, "alpha");
    let n = a.search.as_ref().unwrap().hits.len();
    assert!(n >= 2);
    press(&mut a, key(KeyCode::Up));
    assert_eq!(a.search.as_ref().unwrap().selected, 0);
    for _ in 0..n + 3 {
        press(&mut a, ctrl('n'));
    }
    assert_eq!(a.search.as_ref().unwrap().selected, n - 1);
    press(&mut a, ctrl('p'));
    assert_eq!(a.search.as_ref().unwrap().selected, n - 2);
    press(&mut a, key(KeyCode::PageUp));
    assert_eq!(a.search.as_ref().unwrap().selected, 0);
    press(&mut a, key(KeyCode::PageDown));
    assert_eq!(a.search.as_ref().unwrap().selected, n - 1);
    // Typing resets the selection to the best hit.
    type_query(&mut a, " ");
    assert_eq!(a.search.as_ref().unwrap().selected, 0);
}

#[test]
fn the_trial_whose_name_matches_comes_first() {
    let mut a = app(80, 24);
    a.update(Action::OpenSearch);
    for (q, id) in [
        ("alpha", "alpha"),
        ("ALPHA", "alpha"),
        ("mechanism", "ab-mechanism"),
    ] {
        a.update(Action::SearchClear);
        type_query(&mut a, q);
        let hits = &a.search.as_ref().unwrap().hits;
        assert!(!hits.is_empty(), "{q}");
        assert_eq!(hits[0].entry, id, "{q}");
        assert!(
            matches!(hits[0].kind, HitKind::Trial | HitKind::Topic),
            "{q}"
        );
    }
}

#[test]
fn enter_on_a_trial_hit_opens_it_and_back_returns() {
    let mut a = app(80, 24);
    apply(&mut a, [Action::Down, Action::Open, Action::Down]);
    let before = a.place();
    assert_eq!(before.entry, TOPIC);
    press(&mut a, ch('/'));
    type_keys(&mut a, "alpha");
    press(&mut a, key(KeyCode::Enter));
    assert!(a.search.is_none());
    assert_eq!(entry_id(&a), "alpha");
    assert_eq!(
        (a.focus, a.section, a.scroll, a.item),
        (Focus::Detail, Section::Overview, 0, 0)
    );
    press(&mut a, key(KeyCode::Backspace));
    assert_eq!(a.place(), before, "Back returns to where search was opened");
}

#[test]
fn enter_with_no_hits_keeps_search_open() {
    let mut a = app(80, 24);
    a.update(Action::OpenSearch);
    type_query(&mut a, "zzzz");
    a.update(Action::Open);
    assert!(a.search.is_some());
    assert_eq!(a.focus, Focus::List);
}

/// Open search, find the resident's question, optionally toggle Ctrl+R `toggles` times, Enter.
fn open_question_hit(a: &mut App, toggles: usize) {
    press(a, ch('/'));
    type_keys(a, "hazard ratio");
    let st = a.search.as_ref().unwrap();
    let i = st
        .hits
        .iter()
        .position(|h| h.kind == HitKind::Question && h.item.as_deref() == Some("alpha-resident"))
        .expect("the resident question is a hit");
    for _ in 0..i {
        press(a, key(KeyCode::Down));
    }
    for _ in 0..toggles {
        press(a, ctrl('r'));
    }
    assert_eq!(a.search.as_ref().unwrap().reveal_on_open, toggles % 2 == 1);
    press(a, key(KeyCode::Enter));
    assert!(a.search.is_none());
}

#[test]
fn a_question_hit_opens_the_discussion_on_that_question_hidden() {
    let mut a = app(80, 24);
    open_question_hit(&mut a, 0);
    assert_eq!(entry_id(&a), "alpha");
    assert_eq!((a.focus, a.section), (Focus::Detail, Section::Discussion));
    assert_eq!(a.visible_questions()[a.item].id, "alpha-resident");
    assert!(!a.revealed.contains("alpha-resident"));
    let text = screen_text(&render(&a));
    assert!(text.contains("▶ Resident"), "{text}");
}

#[test]
fn a_question_hit_opens_revealed_after_ctrl_r() {
    let mut a = app(80, 24);
    open_question_hit(&mut a, 1);
    assert_eq!(a.section, Section::Discussion);
    assert_eq!(a.visible_questions()[a.item].id, "alpha-resident");
    assert!(a.revealed.contains("alpha-resident"));
    assert_eq!(a.revealed.len(), 1);

    // Toggled back off: it opens hidden again, even though it was revealed before.
    open_question_hit(&mut a, 2);
    assert!(!a.revealed.contains("alpha-resident"));
}

#[test]
fn a_question_hit_clears_a_role_filter_that_would_hide_it() {
    let mut a = app(80, 24);
    apply(&mut a, [Action::Open, Action::SetRole(Some(Role::PhD))]);
    open_question_hit(&mut a, 0);
    assert_eq!(a.role, None);
    assert_eq!(a.visible_questions()[a.item].id, "alpha-resident");

    let mut a = app(80, 24);
    apply(
        &mut a,
        [Action::Open, Action::SetRole(Some(Role::Resident))],
    );
    open_question_hit(&mut a, 0);
    assert_eq!(
        a.role,
        Some(Role::Resident),
        "a filter that shows it is kept"
    );
    assert_eq!(a.visible_questions()[a.item].id, "alpha-resident");
}

// --- quit, help -------------------------------------------------------------------------------

#[test]
fn quit_and_force_quit() {
    for a_ in [Action::Quit, Action::ForceQuit] {
        let mut a = app(80, 24);
        a.update(a_);
        assert!(a.quit);
    }
    let mut a = app(80, 24);
    press(&mut a, ch('q'));
    assert!(a.quit, "q quits from the list");
    let mut a = app(80, 24);
    press(&mut a, key(KeyCode::Enter));
    press(&mut a, ch('q'));
    assert!(a.quit, "q quits from the detail");
    let mut a = app(80, 24);
    press(&mut a, ch('/'));
    press(&mut a, ch('q'));
    assert!(!a.quit, "q is text in search");
    press(&mut a, ctrl('c'));
    assert!(a.quit, "Ctrl+C quits from search");
    let mut a = app(80, 24);
    press(&mut a, ch('?'));
    press(&mut a, ctrl('c'));
    assert!(a.quit, "Ctrl+C quits from help");
}

#[test]
fn suspend_sets_the_flag() {
    let mut a = app(80, 24);
    press(&mut a, ctrl('z'));
    assert!(a.suspend);
}

#[test]
fn help_opens_scrolls_and_closes() {
    let mut a = app(80, 24);
    a.update(Action::Open);
    let before = a.place();
    press(&mut a, ch('?'));
    assert_eq!(a.context(), Context::Help);
    assert_eq!(a.help, Some(0));
    press(&mut a, ch('j'));
    press(&mut a, ch('j'));
    assert_eq!(a.help, Some(2));
    press(&mut a, ch('k'));
    assert_eq!(a.help, Some(1));
    press(&mut a, ch('/'));
    assert!(a.search.is_none(), "global keys do not leak through help");
    press(&mut a, ch('q'));
    assert_eq!(a.help, None, "q closes help rather than quitting");
    assert!(!a.quit);
    assert_eq!(a.place(), before);
    for close in [key(KeyCode::Esc), ch('?'), key(KeyCode::Enter)] {
        press(&mut a, ch('?'));
        press(&mut a, close);
        assert_eq!(a.help, None, "{close:?}");
    }
}

#[test]
fn theme_cycles_with_a_message() {
    let mut a = app(80, 24);
    let first = a.theme.name;
    for _ in 0..4 {
        press(&mut a, ch('t'));
        assert!(a.message.as_deref().unwrap_or("").starts_with("theme: "));
    }
    assert_eq!(a.theme.name, first);
    a.update(Action::Down);
    assert_eq!(a.message, None, "messages last one action");
}

// --- mouse ------------------------------------------------------------------------------------

#[test]
fn clicks_select_rows_panels_and_tabs() {
    let mut a = app(80, 24);
    let areas = trialdeck::ui::app_layout(&a);
    let list = areas.list.unwrap();
    let detail = areas.detail.unwrap();
    // Second row of the list.
    a.update(Action::Click(list.x + 3, list.y + 2));
    assert_eq!((a.focus, a.list_sel), (Focus::List, 1));
    // The list border selects nothing but focuses the list.
    a.update(Action::Click(list.x, list.y));
    assert_eq!(a.list_sel, 1);
    // Inside the detail: focus.
    a.update(Action::Click(detail.x + 5, detail.y + 5));
    assert_eq!(a.focus, Focus::Detail);
    // Each tab of the tab row selects its section.
    for (s, _, at) in trialdeck::ui::tabs(detail.width - 2, a.section) {
        a.update(Action::Click(detail.x + 1 + at + 1, detail.y + 1));
        assert_eq!(a.section, s);
    }
}

#[test]
fn wheel_moves_the_list_or_scrolls_the_detail() {
    let mut a = app(80, 24);
    let areas = trialdeck::ui::app_layout(&a);
    let list = areas.list.unwrap();
    let detail = areas.detail.unwrap();
    a.update(Action::ScrollDown(list.x + 2, list.y + 2));
    assert_eq!(a.list_sel, 1);
    a.update(Action::ScrollUp(list.x + 2, list.y + 2));
    assert_eq!(a.list_sel, 0);
    a.update(Action::ScrollDown(detail.x + 2, detail.y + 4));
    assert_eq!(a.scroll, 3);
    a.update(Action::ScrollUp(detail.x + 2, detail.y + 4));
    a.update(Action::ScrollUp(detail.x + 2, detail.y + 4));
    assert_eq!(a.scroll, 0);
}

#[test]
fn clicking_outside_help_closes_it() {
    let mut a = app(80, 24);
    a.update(Action::OpenHelp);
    a.update(Action::Click(1, 1));
    assert_eq!(a.help, None);
}

#[test]
fn clicking_a_search_result_selects_it() {
    let mut a = app(80, 24);
    a.update(Action::OpenSearch);
    type_query(&mut a, "alpha");
    let top = trialdeck::ui::search_results_top(a.size);
    a.update(Action::Click(10, top + 2));
    assert_eq!(a.search.as_ref().unwrap().selected, 1);
    a.update(Action::Click(10, top + 1));
    assert_eq!(a.search.as_ref().unwrap().selected, 0);
    a.update(Action::Click(10, top + 200));
    assert_eq!(
        a.search.as_ref().unwrap().selected,
        0,
        "below the hits: nothing"
    );
}

#[test]
fn resize_sets_the_size() {
    let mut a = app(80, 24);
    a.update(Action::Resize(33, 7));
    assert_eq!(a.size, (33, 7));
}

// --- keymap -----------------------------------------------------------------------------------

#[test]
fn map_event_keys() {
    let press_ev = |k: KeyEvent| Event::Key(k);
    assert_eq!(
        map_event(Context::List, &press_ev(ch('j'))),
        Some(Action::Down)
    );
    assert_eq!(
        map_event(Context::Detail, &press_ev(ch(' '))),
        Some(Action::Reveal)
    );
    assert_eq!(
        map_event(Context::Detail, &press_ev(ch('r'))),
        Some(Action::NextRole)
    );
    assert_eq!(
        map_event(Context::Search, &press_ev(ctrl('r'))),
        Some(Action::SearchToggleReveal)
    );
    assert_eq!(
        map_event(Context::Search, &press_ev(ch(' '))),
        Some(Action::SearchInput(' '))
    );
    assert_eq!(
        map_event(Context::Search, &press_ev(key(KeyCode::Esc))),
        Some(Action::Back)
    );
    assert_eq!(
        map_event(
            Context::List,
            &press_ev(KeyEvent::new(
                KeyCode::Char('C'),
                KeyModifiers::CONTROL | KeyModifiers::SHIFT
            ))
        ),
        Some(Action::ForceQuit),
        "Ctrl+Shift+C still quits"
    );
    assert_eq!(
        map_event(Context::List, &press_ev(key(KeyCode::F(5)))),
        None
    );
    assert_eq!(
        map_event(
            Context::List,
            &press_ev(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::ALT))
        ),
        None,
        "Alt+j is not j"
    );
    // Releases are ignored; repeats act.
    let mut release = ch('j');
    release.kind = KeyEventKind::Release;
    assert_eq!(map_event(Context::List, &Event::Key(release)), None);
    let mut repeat = ch('j');
    repeat.kind = KeyEventKind::Repeat;
    assert_eq!(
        map_event(Context::List, &Event::Key(repeat)),
        Some(Action::Down)
    );
}

#[test]
fn lookup_help_context_only_has_its_own_keys() {
    assert_eq!(lookup(Context::Help, &ch('q')), Some(Action::Back));
    assert_eq!(lookup(Context::Help, &ch('t')), None);
    assert_eq!(lookup(Context::Help, &ctrl('c')), Some(Action::ForceQuit));
}

fn mouse(kind: MouseEventKind, column: u16, row: u16) -> Event {
    Event::Mouse(MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    })
}

#[test]
fn map_event_mouse() {
    for ctx in [
        Context::List,
        Context::Detail,
        Context::Search,
        Context::Help,
    ] {
        for b in [MouseButton::Left, MouseButton::Right, MouseButton::Middle] {
            assert_eq!(
                map_event(ctx, &mouse(MouseEventKind::Down(b), 7, 9)),
                Some(Action::Click(7, 9))
            );
        }
        assert_eq!(
            map_event(ctx, &mouse(MouseEventKind::ScrollUp, 3, 4)),
            Some(Action::ScrollUp(3, 4))
        );
        assert_eq!(
            map_event(ctx, &mouse(MouseEventKind::ScrollDown, 3, 4)),
            Some(Action::ScrollDown(3, 4))
        );
        assert_eq!(map_event(ctx, &mouse(MouseEventKind::Moved, 3, 4)), None);
        assert_eq!(
            map_event(ctx, &mouse(MouseEventKind::Up(MouseButton::Left), 3, 4)),
            None
        );
        assert_eq!(
            map_event(ctx, &mouse(MouseEventKind::Drag(MouseButton::Left), 3, 4)),
            None
        );
    }
}

#[test]
fn map_event_paste_resize_and_others() {
    assert_eq!(
        map_event(Context::Search, &Event::Paste("ALPHA trial".into())),
        Some(Action::SearchPaste("ALPHA trial".into()))
    );
    for ctx in [Context::List, Context::Detail, Context::Help] {
        assert_eq!(map_event(ctx, &Event::Paste("q".into())), None, "{ctx:?}");
    }
    assert_eq!(
        map_event(Context::List, &Event::Resize(100, 30)),
        Some(Action::Resize(100, 30))
    );
    assert_eq!(map_event(Context::List, &Event::FocusGained), None);
    assert_eq!(map_event(Context::List, &Event::FocusLost), None);
}

#[test]
fn a_paste_in_the_app_reaches_the_query() {
    let mut a = app(80, 24);
    press(&mut a, ch('/'));
    let act = map_event(a.context(), &Event::Paste("hazard".into())).unwrap();
    a.update(act);
    assert_eq!(a.search.as_ref().unwrap().query, "hazard");
    assert!(
        a.search
            .as_ref()
            .unwrap()
            .hits
            .iter()
            .any(|h| h.kind == HitKind::Question)
    );
    press_all(&mut a, &[key(KeyCode::Esc)]);
    assert!(a.search.is_none());
}
