//! `App::update` and the keymap, tested directly on the fictional mini pack (no terminal).
//!
//! The mini pack has two entries in pack order: the trial ALPHA (two findings, PFS a headline;
//! three questions: medical student, resident, PhD) and the topic "Drug A mechanism", linked to
//! each other. ALPHA is the pack's landmark and sorts first by phase.
//!
//! Unless a test says otherwise, nothing is rendered before `update`: the app reasons about
//! scroll bounds and clicks from `layout` and the entry document, never from the last frame.

mod common;
use common::Tester;

use common::{NOW, app, apply, click_text, find, render, screen_text, step, type_query};
use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use std::collections::BTreeMap;
use trialdeck::content::Role;
use trialdeck::search::Kind as HitKind;
use trialdeck::tui::action::Action;
use trialdeck::tui::app::{App, Effect, Focus, Place, Section};
use trialdeck::tui::keymap::{Context, Keymap};
use trialdeck::tui::layout;

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

/// Press a key the way the runtime does: map it in the app's current context with the app's
/// keymap, then update. Returns the effect (None when the key is unbound).
fn press(app: &mut Tester, k: KeyEvent) -> Effect {
    match app.keymap.map_event(app.context(), &Event::Key(k)) {
        Some(a) => app.act(a, NOW),
        None => Effect::None,
    }
}

fn press_all(app: &mut Tester, keys: &[KeyEvent]) {
    for k in keys {
        press(app, *k);
    }
}

fn type_keys(app: &mut Tester, s: &str) {
    for c in s.chars() {
        press(app, ch(c));
    }
}

fn entry_id(app: &App) -> &str {
    &app.lib.entries[app.current().expect("an entry")].id
}

fn goto_section(app: &mut Tester, s: Section) {
    for _ in 0..Section::ALL.len() {
        if app.browse().section == s {
            return;
        }
        step(app, Action::NextSection);
    }
    assert_eq!(app.browse().section, s);
}

fn map(ctx: Context, ev: &Event) -> Option<Action> {
    Keymap::default().map_event(ctx, ev)
}

fn lookup(ctx: Context, k: &KeyEvent) -> Option<Action> {
    Keymap::default().lookup(ctx, k)
}

/// The largest scroll of the detail body, from the same lines the panel draws.
fn max_scroll(a: &App) -> usize {
    let (s, body) = a
        .browse()
        .detail_lines(&a.lib, a.look(), a.size)
        .expect("a detail panel");
    s.lines.len().saturating_sub(body.height as usize)
}

// --- list -------------------------------------------------------------------------------------

#[test]
fn list_navigation_stays_in_bounds() {
    let mut a = app(80, 24);
    assert_eq!(a.context(), Context::List);
    assert_eq!(a.browse().list_sel, 0);
    press(&mut a, ch('k'));
    assert_eq!(a.browse().list_sel, 0, "k at the top stays");
    press(&mut a, ch('j'));
    assert_eq!(a.browse().list_sel, 1);
    press(&mut a, ch('j'));
    press(&mut a, key(KeyCode::Down));
    assert_eq!(a.browse().list_sel, 1, "j at the bottom stays");
    press(&mut a, ch('g'));
    assert_eq!(a.browse().list_sel, 0);
    press(&mut a, ch('G'));
    assert_eq!(a.browse().list_sel, 1);
    press(&mut a, key(KeyCode::Home));
    assert_eq!(a.browse().list_sel, 0);
    press(&mut a, key(KeyCode::PageDown));
    assert_eq!(a.browse().list_sel, 1, "PageDown clamps to the last row");
    press(&mut a, key(KeyCode::PageDown));
    assert_eq!(a.browse().list_sel, 1);
    press(&mut a, key(KeyCode::PageUp));
    assert_eq!(a.browse().list_sel, 0, "PageUp clamps to the first row");
    press(&mut a, ctrl('d'));
    assert_eq!(a.browse().list_sel, 1);
    press(&mut a, ctrl('u'));
    assert_eq!(a.browse().list_sel, 0);
    assert_eq!(a.browse().focus, Focus::List);
}

#[test]
fn moving_in_the_list_resets_the_detail_position() {
    let mut a = app(80, 24);
    apply(&mut a, [Action::Open, Action::Down, Action::Down]);
    assert_eq!(a.browse().scroll, 2, "the Overview scrolls line by line");
    apply(&mut a, [Action::SwitchPanel, Action::Down]);
    let b = a.browse();
    assert_eq!((b.list_sel, b.scroll, b.item), (1, 0, 0));

    // A selected finding and its section are reset too: the next trial shows from its Overview.
    let mut a = app(80, 24);
    apply(&mut a, [Action::Open, Action::GotoSection(2), Action::Down]);
    assert_eq!(a.browse().item, 1);
    apply(&mut a, [Action::SwitchPanel, Action::Down]);
    let b = a.browse();
    assert_eq!(
        (b.list_sel, b.section, b.scroll, b.item),
        (1, Section::Overview, 0, 0)
    );
}

#[test]
fn enter_opens_the_detail_and_tab_switches_panels() {
    let mut a = app(80, 24);
    press(&mut a, key(KeyCode::Enter));
    assert_eq!(a.browse().focus, Focus::Detail);
    assert_eq!(a.context(), Context::Detail);
    assert_eq!(a.browse().section, Section::Overview);
    press(&mut a, key(KeyCode::Tab));
    assert_eq!(a.browse().focus, Focus::List);
    press(&mut a, key(KeyCode::BackTab));
    assert_eq!(a.browse().focus, Focus::Detail);
    press(&mut a, key(KeyCode::Tab));
    press(&mut a, ch('l'));
    assert_eq!(a.browse().focus, Focus::Detail, "l opens from the list too");
}

#[test]
fn opening_a_trial_from_the_list_lands_on_its_overview() {
    let mut a = app(80, 24);
    apply(&mut a, [Action::Open, Action::GotoSection(2), Action::Down]);
    assert_eq!(
        (a.browse().section, a.browse().item),
        (Section::Findings, 1)
    );
    press(&mut a, key(KeyCode::Tab));
    press(&mut a, key(KeyCode::Enter));
    let b = a.browse();
    assert_eq!(
        (b.focus, b.section, b.scroll, b.item),
        (Focus::Detail, Section::Overview, 0, 0),
        "Enter on the list shows the trial from its Overview"
    );
}

#[test]
fn sort_cycles_and_keeps_the_selection() {
    let mut a = app(80, 24);
    step(&mut a, Action::Down);
    let before = entry_id(&a).to_string();
    for _ in 0..3 {
        press(&mut a, ch('s'));
        assert_eq!(entry_id(&a), before);
        assert!(a.message.as_deref().unwrap_or("").starts_with("sorted by"));
    }
    assert_eq!(
        a.browse().order,
        vec![ALPHA, TOPIC],
        "three presses return to pack order"
    );
}

// --- sections ---------------------------------------------------------------------------------

#[test]
fn section_cycling_wraps_both_ways() {
    let mut a = app(80, 24);
    step(&mut a, Action::Open);
    press(&mut a, ch('h'));
    assert_eq!(
        a.browse().section,
        Section::Discussion,
        "h from the first section wraps to the last"
    );
    press(&mut a, ch('l'));
    assert_eq!(
        a.browse().section,
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
        assert_eq!(a.browse().section, *s);
    }
    press(&mut a, ch('['));
    assert_eq!(a.browse().section, Section::Sources);
    press(&mut a, key(KeyCode::Left));
    assert_eq!(a.browse().section, Section::Discrepancies);
}

#[test]
fn number_keys_jump_to_sections_from_either_panel() {
    for (i, s) in Section::ALL.iter().enumerate() {
        let digit = char::from(b'1' + i as u8);
        // From the list: the detail opens on that section.
        let mut a = app(80, 24);
        press(&mut a, ch(digit));
        assert_eq!(a.browse().section, *s, "{digit} from the list");
        assert_eq!(a.browse().focus, Focus::Detail, "{digit} from the list");
        // From the detail, on another section.
        let mut a = app(80, 24);
        apply(&mut a, [Action::Open, Action::GotoSection(9 - i as u8)]);
        press(&mut a, ch(digit));
        assert_eq!(a.browse().section, *s, "{digit} from the detail");
        assert_eq!((a.browse().scroll, a.browse().item), (0, 0));
    }
    // `0` is no section.
    let mut a = app(80, 24);
    apply(&mut a, [Action::Open, Action::GotoSection(4)]);
    press(&mut a, ch('0'));
    assert_eq!(a.browse().section, Section::Safety);
    step(&mut a, Action::GotoSection(10));
    assert_eq!(a.browse().section, Section::Safety);
}

#[test]
fn changing_section_resets_scroll_and_item() {
    let mut a = app(80, 24);
    apply(&mut a, [Action::Open, Action::Down, Action::Down]);
    assert_eq!(a.browse().scroll, 2);
    step(&mut a, Action::NextSection);
    assert_eq!((a.browse().scroll, a.browse().item), (0, 0));
}

#[test]
fn detail_scroll_is_clamped_without_any_render() {
    // No frame is ever drawn here: the bound comes from the document at the app's size.
    let mut a = app(80, 24);
    step(&mut a, Action::Open);
    let max = max_scroll(&a);
    assert!(max > 0, "the overview of ALPHA is longer than 80x24");
    apply(&mut a, std::iter::repeat_n(Action::Down, max + 10));
    assert_eq!(a.browse().scroll, max);
    step(&mut a, Action::Top);
    assert_eq!(a.browse().scroll, 0);
    step(&mut a, Action::Bottom);
    assert_eq!(a.browse().scroll, max);
    step(&mut a, Action::PageDown);
    assert_eq!(a.browse().scroll, max);
    step(&mut a, Action::PageUp);
    let body_h = layout::detail_body(layout::browse(a.size, Focus::Detail).detail.unwrap()).height;
    assert_eq!(a.browse().scroll, max.saturating_sub(body_h as usize));
    step(&mut a, Action::Top);
    step(&mut a, Action::Up);
    assert_eq!(a.browse().scroll, 0);

    // What is then drawn agrees: at the bottom, the document's last line is the body's last row.
    step(&mut a, Action::Bottom);
    let (s, body) = a.browse().detail_lines(&a.lib, a.look(), a.size).unwrap();
    let last: String = s.lines.last().unwrap().to_string();
    let terminal = render(&a);
    let buf = terminal.backend().buffer();
    let drawn = common::row_text(buf, body.y + body.height - 1);
    assert!(
        drawn.contains(last.trim()),
        "last line {last:?} not at the bottom:\n{}",
        screen_text(&terminal)
    );
}

#[test]
fn a_resize_clamps_the_scroll_without_any_render() {
    let mut a = app(80, 24);
    apply(&mut a, [Action::Open, Action::Bottom]);
    let small_max = a.browse().scroll;
    assert!(small_max > 0);
    step(&mut a, Action::Resize(200, 60));
    assert_eq!(
        a.browse().scroll,
        max_scroll(&a),
        "a taller window needs less scroll"
    );
    assert!(a.browse().scroll < small_max);
}

#[test]
fn wheel_scrolls_and_stops_at_the_end_without_any_render() {
    let mut a = app(80, 24);
    step(&mut a, Action::Open);
    let detail = layout::browse(a.size, Focus::Detail).detail.unwrap();
    let body = layout::detail_body(detail);
    let max = max_scroll(&a);
    for _ in 0..100 {
        step(&mut a, Action::ScrollDown(body.x + 2, body.y + 2));
    }
    assert_eq!(a.browse().scroll, max);
}

// --- findings ---------------------------------------------------------------------------------

#[test]
fn findings_j_k_select_and_the_reading_follows_the_selection() {
    let mut a = app(120, 40);
    apply(&mut a, [Action::Open, Action::GotoSection(2)]);
    assert_eq!(a.browse().item_count(&a.lib), 2);
    assert_eq!(a.browse().item, 0);
    let text = screen_text(&render(&a));
    assert!(text.contains("Drug A delayed progression"), "{text}");
    assert!(!text.contains("More patients responded"), "{text}");

    press(&mut a, ch('j'));
    assert_eq!(a.browse().item, 1, "j selects the next finding");
    let terminal = render(&a);
    let buf = terminal.backend().buffer();
    let text = screen_text(&terminal);
    assert!(!text.contains("Drug A delayed progression"), "{text}");
    let (x, row) = find(buf, "Objective response");
    assert_eq!(
        buf[(x - 1, row)].symbol(),
        "▶",
        "the marker moved to the selected row:\n{text}"
    );
    let (_, reading) = find(buf, "More patients responded");
    assert!(
        reading > row && reading <= row + 3,
        "the reading sits right under its row ({row} → {reading}):\n{text}"
    );
    press(&mut a, ch('j'));
    assert_eq!(a.browse().item, 1, "j stops at the last finding");
    press(&mut a, ch('k'));
    assert_eq!(a.browse().item, 0);
    press(&mut a, ch('k'));
    assert_eq!(a.browse().item, 0);
}

// --- discussion -------------------------------------------------------------------------------

#[test]
fn space_reveals_and_hides_the_selected_question() {
    let mut a = app(80, 24);
    step(&mut a, Action::Open);
    goto_section(&mut a, Section::Discussion);
    let first = a.browse().visible_questions(&a.lib)[0].clone();
    assert_eq!(first, "alpha-student");
    press(&mut a, ch(' '));
    assert!(a.browse().revealed.contains(&first));
    assert!(screen_text(&render(&a)).contains("Key response"));
    press(&mut a, ch(' '));
    assert!(!a.browse().revealed.contains(&first));
    assert!(!screen_text(&render(&a)).contains("Key response"));

    // j moves to the next question; Space reveals that one only.
    press(&mut a, ch('j'));
    assert_eq!(a.browse().item, 1);
    press(&mut a, ch(' '));
    assert_eq!(
        a.browse().revealed.iter().cloned().collect::<Vec<_>>(),
        vec!["alpha-resident".to_string()]
    );
    press(&mut a, ch('j'));
    press(&mut a, ch('j'));
    assert_eq!(a.browse().item, 2, "j stops at the last question");
}

#[test]
fn revealing_keeps_the_selected_question_in_view_without_any_render() {
    let mut a = app(80, 24);
    apply(&mut a, [Action::Open, Action::GotoSection(9)]);
    for i in 0..3 {
        apply(&mut a, [Action::Reveal]);
        let (s, body) = a.browse().detail_lines(&a.lib, a.look(), a.size).unwrap();
        let r = &s.items[i];
        let top = a.browse().scroll;
        assert!(
            r.start >= top && r.start < top + body.height as usize,
            "question {i} starts at {} but the view shows {top}..{}",
            r.start,
            top + body.height as usize
        );
        step(&mut a, Action::Down);
    }
}

#[test]
fn space_outside_the_discussion_changes_nothing() {
    for s in Section::ALL
        .into_iter()
        .filter(|s| *s != Section::Discussion)
    {
        let mut a = app(80, 24);
        apply(
            &mut a,
            [Action::Open, Action::GotoSection(s.index() as u8 + 1)],
        );
        let before = a.browse().place();
        press(&mut a, ch(' '));
        assert_eq!(a.browse().place(), before, "{s:?}");
        assert!(a.browse().revealed.is_empty(), "{s:?}");
    }
    // Nor from the list.
    let mut a = app(80, 24);
    let before = a.browse().place();
    press(&mut a, ch(' '));
    assert_eq!(a.browse().place(), before);
}

#[test]
fn x_hides_every_revealed_answer() {
    let mut a = app(80, 24);
    apply(
        &mut a,
        [
            Action::Open,
            Action::GotoSection(9),
            Action::Reveal,
            Action::Down,
            Action::Reveal,
            Action::Down,
            Action::Reveal,
        ],
    );
    assert_eq!(a.browse().revealed.len(), 3);
    press(&mut a, ch('x'));
    assert!(a.browse().revealed.is_empty());
    assert_eq!(a.message.as_deref(), Some("hid 3 key responses"));
    assert!(!screen_text(&render(&a)).contains("Key response"));
    // With nothing revealed, x says nothing.
    press(&mut a, ch('x'));
    assert_eq!(a.message, None);
}

#[test]
fn role_filter_steps_through_all_seven_and_back_from_the_list() {
    let mut a = app(80, 24);
    assert_eq!(a.browse().focus, Focus::List);
    assert_eq!(a.browse().role, None);
    for want in Role::ALL {
        press(&mut a, ch('r'));
        assert_eq!(a.browse().role, Some(want));
        assert_eq!(
            a.browse().section,
            Section::Discussion,
            "r shows the discussion"
        );
        assert_eq!(a.browse().item, 0);
        let qs = a.browse().visible_questions(&a.lib);
        let expected: &[&str] = match want {
            Role::MedicalStudent => &["alpha-student"],
            Role::Resident => &["alpha-resident"],
            Role::PhD => &["alpha-phd"],
            _ => &[],
        };
        assert_eq!(qs, expected, "{want:?}");
        assert_eq!(a.browse().item_count(&a.lib), expected.len());
        let text = screen_text(&render(&a));
        assert!(
            text.contains(&format!("{} only", want.label())),
            "{want:?}:\n{text}"
        );
        if expected.is_empty() {
            assert!(text.contains("No question for this role here"), "{text}");
            step(&mut a, Action::SwitchPanel);
            // Space with nothing selected does nothing.
            press(&mut a, ch(' '));
            assert!(a.browse().revealed.is_empty());
            step(&mut a, Action::SwitchPanel);
        }
    }
    press(&mut a, ch('r'));
    assert_eq!(
        a.browse().role,
        None,
        "after the last role the filter clears"
    );
    assert_eq!(a.browse().visible_questions(&a.lib).len(), 3);
}

#[test]
fn shift_r_steps_back_and_set_role_none_clears() {
    let mut a = app(80, 24);
    press(&mut a, ch('R'));
    assert_eq!(
        a.browse().role,
        Role::ALL.last().copied(),
        "R from all roles goes to the last role"
    );
    for i in (0..Role::ALL.len() - 1).rev() {
        press(&mut a, ch('R'));
        assert_eq!(a.browse().role, Some(Role::ALL[i]));
    }
    press(&mut a, ch('R'));
    assert_eq!(a.browse().role, None);

    step(&mut a, Action::SetRole(Some(Role::PhD)));
    assert_eq!(a.browse().visible_questions(&a.lib).len(), 1);
    step(&mut a, Action::SetRole(None));
    assert_eq!(a.browse().role, None);
    assert_eq!(a.browse().visible_questions(&a.lib).len(), 3);
}

#[test]
fn questions_are_in_ladder_order() {
    let mut a = app(80, 24);
    step(&mut a, Action::Open);
    assert_eq!(
        a.browse().visible_questions(&a.lib),
        vec!["alpha-student", "alpha-resident", "alpha-phd"]
    );
}

// --- related links ----------------------------------------------------------------------------

#[test]
fn following_a_related_link_then_back_returns_exactly() {
    let mut a = app(80, 24);
    step(&mut a, Action::Open);
    goto_section(&mut a, Section::Related);
    let before: Place = a.browse().place();
    assert_eq!(before.entry, ALPHA);
    press(&mut a, key(KeyCode::Enter));
    assert_eq!(entry_id(&a), "ab-mechanism");
    assert_eq!(a.current(), Some(TOPIC));
    assert_eq!(a.browse().list_sel, 1, "the list follows the link");
    let b = a.browse();
    assert_eq!(
        (b.focus, b.section, b.scroll, b.item),
        (Focus::Detail, Section::Overview, 0, 0)
    );
    assert_eq!(b.history.len(), 1);

    // Move around in the target, then follow its link back to ALPHA, and unwind.
    goto_section(&mut a, Section::Related);
    let middle = a.browse().place();
    press(&mut a, key(KeyCode::Enter));
    assert_eq!(a.current(), Some(ALPHA));
    assert_eq!(a.browse().history.len(), 2);
    press(&mut a, key(KeyCode::Backspace));
    assert_eq!(a.browse().place(), middle);
    press(&mut a, key(KeyCode::Esc));
    assert_eq!(a.browse().place(), before);
    assert!(a.browse().history.is_empty());
    // With no history, Back returns to the list.
    press(&mut a, key(KeyCode::Esc));
    assert_eq!(a.browse().focus, Focus::List);
}

#[test]
fn enter_outside_related_follows_nothing() {
    let mut a = app(80, 24);
    step(&mut a, Action::Open);
    let before = a.browse().place();
    press(&mut a, key(KeyCode::Enter));
    assert_eq!(a.browse().place(), before);
    assert!(a.browse().history.is_empty());
}

// --- search -----------------------------------------------------------------------------------

#[test]
fn search_esc_returns_to_the_same_place() {
    let mut a = app(80, 24);
    apply(&mut a, [Action::Open, Action::NextSection, Action::Down]);
    let before = a.browse().place();
    assert_eq!(
        (before.entry, before.section, before.item),
        (ALPHA, Section::Findings, 1)
    );
    press(&mut a, ch('/'));
    assert_eq!(a.context(), Context::Search);
    assert!(
        matches!(press(&mut a, ch('q')), Effect::Search { .. }),
        "q is text in search"
    );
    type_keys(&mut a, "j/? t");
    assert_eq!(
        a.search().unwrap().query,
        "qj/? t",
        "keys are text while searching"
    );
    press(&mut a, key(KeyCode::Esc));
    assert!(a.search().is_none());
    assert_eq!(a.browse().place(), before);
    assert!(a.browse().history.is_empty(), "Esc does not add history");
}

#[test]
fn search_editing_keys() {
    let mut a = app(80, 24);
    press(&mut a, ch('/'));
    type_keys(&mut a, "alphx");
    press(&mut a, key(KeyCode::Backspace));
    type_keys(&mut a, "a");
    assert_eq!(a.search().unwrap().query, "alpha");
    step(&mut a, Action::SearchPaste("\u{1b}[31m x\ny".into()));
    assert_eq!(
        a.search().unwrap().query,
        "alpha[31m xy",
        "control characters are dropped from pastes"
    );
    press(&mut a, ctrl('w'));
    assert_eq!(a.search().unwrap().query, "");
    step(&mut a, Action::SearchInput('\u{7}'));
    assert_eq!(
        a.search().unwrap().query,
        "",
        "control characters are not typed"
    );
}

#[test]
fn search_selection_stays_in_bounds() {
    let mut a = app(80, 24);
    step(&mut a, Action::OpenSearch);
    type_query(&mut a, "alpha");
    let n = a.search().unwrap().hits.len();
    assert!(n >= 2);
    press(&mut a, key(KeyCode::Up));
    assert_eq!(a.search().unwrap().selected, 0);
    for _ in 0..n + 3 {
        press(&mut a, ctrl('n'));
    }
    assert_eq!(a.search().unwrap().selected, n - 1);
    press(&mut a, ctrl('p'));
    assert_eq!(a.search().unwrap().selected, n - 2);
    press(&mut a, key(KeyCode::PageUp));
    assert_eq!(a.search().unwrap().selected, 0);
    press(&mut a, key(KeyCode::PageDown));
    assert_eq!(
        a.search().unwrap().selected,
        (layout::search_rows(a.size)).min(n - 1)
    );
    // Typing resets the selection to the best hit.
    type_query(&mut a, " ");
    assert_eq!(a.search().unwrap().selected, 0);
}

#[test]
fn the_trial_whose_name_matches_comes_first() {
    let mut a = app(80, 24);
    step(&mut a, Action::OpenSearch);
    for (q, id) in [
        ("alpha", "alpha"),
        ("ALPHA", "alpha"),
        ("mechanism", "ab-mechanism"),
    ] {
        step(&mut a, Action::SearchClear);
        type_query(&mut a, q);
        let hits = &a.search().unwrap().hits;
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
    let before = a.browse().place();
    assert_eq!(before.entry, TOPIC);
    press(&mut a, ch('/'));
    type_keys(&mut a, "alpha");
    press(&mut a, key(KeyCode::Enter));
    assert!(a.search().is_none());
    assert_eq!(entry_id(&a), "alpha");
    let b = a.browse();
    assert_eq!(
        (b.focus, b.section, b.scroll, b.item),
        (Focus::Detail, Section::Overview, 0, 0)
    );
    press(&mut a, key(KeyCode::Backspace));
    assert_eq!(
        a.browse().place(),
        before,
        "Back returns to where search was opened"
    );
}

#[test]
fn a_finding_hit_opens_findings_on_that_finding() {
    let mut a = app(80, 24);
    press(&mut a, ch('/'));
    type_keys(&mut a, "objective response");
    let i = a
        .search()
        .unwrap()
        .hits
        .iter()
        .position(|h| h.kind == HitKind::Finding && h.item.as_deref() == Some("orr"))
        .expect("the ORR finding is a hit");
    for _ in 0..i {
        press(&mut a, key(KeyCode::Down));
    }
    press(&mut a, key(KeyCode::Enter));
    let b = a.browse();
    assert_eq!((b.section, b.item), (Section::Findings, 1));
    assert!(screen_text(&render(&a)).contains("More patients responded"));
}

#[test]
fn enter_with_no_hits_keeps_search_open() {
    let mut a = app(80, 24);
    step(&mut a, Action::OpenSearch);
    type_query(&mut a, "zzzz");
    step(&mut a, Action::Open);
    assert!(a.search().is_some());
    assert_eq!(a.browse().focus, Focus::List);
}

#[test]
fn slash_reopens_the_last_query_and_selection() {
    let mut a = app(80, 24);
    press(&mut a, ch('/'));
    type_keys(&mut a, "alpha");
    press_all(&mut a, &[key(KeyCode::Down), key(KeyCode::Down)]);
    let hits: Vec<_> = a.search().unwrap().hits.clone();
    assert!(hits.len() > 2);
    // Closed with Esc: reopened as it was.
    press(&mut a, key(KeyCode::Esc));
    assert!(a.search().is_none());
    press(&mut a, ch('/'));
    let st = a.search().expect("search reopened");
    assert_eq!(st.query, "alpha");
    assert_eq!(st.selected, 2);
    assert_eq!(st.hits, hits);
    // Closed by opening a hit: reopened on that hit, from the new place.
    press(&mut a, key(KeyCode::Enter));
    let opened = a.browse().place();
    press(&mut a, ch('/'));
    let st = a.search().expect("search reopened");
    assert_eq!((st.query.as_str(), st.selected), ("alpha", 2));
    assert_eq!(st.from, opened, "Esc returns to where it was reopened");
    // Typing still resets the selection.
    type_keys(&mut a, "x");
    assert_eq!(a.search().unwrap().selected, 0);
}

#[test]
fn an_unknown_role_or_kind_lists_the_valid_ones() {
    let mut a = app(80, 24);
    press(&mut a, ch('/'));
    type_keys(&mut a, "alpha @foo");
    let st = a.search().unwrap();
    let p = st.problem.as_deref().expect("a problem with @foo");
    assert!(p.contains("@foo"), "{p}");
    for r in ["student", "resident", "fellow", "attending", "phd"] {
        assert!(p.to_lowercase().contains(r), "{r} is listed: {p}");
    }
    assert!(st.hits.is_empty());
    let text = screen_text(&render(&a));
    assert!(
        text.contains("unknown role `@foo`"),
        "shown under the box:\n{text}"
    );
    // Fixing the query clears the message.
    press_all(&mut a, &[key(KeyCode::Backspace); 5]);
    assert_eq!(a.search().unwrap().problem, None);
    assert!(!a.search().unwrap().hits.is_empty());

    type_keys(&mut a, " #bogus");
    let p = a.search().unwrap().problem.clone().expect("a problem");
    for k in [
        "trial",
        "topic",
        "finding",
        "question",
        "discrepancy",
        "safety",
    ] {
        assert!(p.contains(k), "{k} is listed: {p}");
    }
}

/// Open search, find the resident's question, optionally toggle Ctrl+R `toggles` times, Enter.
fn open_question_hit(a: &mut Tester, toggles: usize) {
    press(a, ch('/'));
    press(a, ctrl('w'));
    type_keys(a, "hazard ratio");
    let st = a.search().unwrap();
    let i = st
        .hits
        .iter()
        .position(|h| h.kind == HitKind::Question && h.item.as_deref() == Some("alpha-resident"))
        .expect("the resident question is a hit");
    let reveal = st.reveal_on_open;
    for _ in 0..i {
        press(a, key(KeyCode::Down));
    }
    for _ in 0..toggles {
        press(a, ctrl('r'));
    }
    assert_eq!(
        a.search().unwrap().reveal_on_open,
        reveal ^ (toggles % 2 == 1)
    );
    press(a, key(KeyCode::Enter));
    assert!(a.search().is_none());
}

fn selected_question(a: &App) -> String {
    a.browse().visible_questions(&a.lib)[a.browse().item].clone()
}

#[test]
fn a_question_hit_opens_the_discussion_on_that_question_hidden() {
    let mut a = app(80, 24);
    open_question_hit(&mut a, 0);
    assert_eq!(entry_id(&a), "alpha");
    assert_eq!(
        (a.browse().focus, a.browse().section),
        (Focus::Detail, Section::Discussion)
    );
    assert_eq!(selected_question(&a), "alpha-resident");
    assert!(!a.browse().revealed.contains("alpha-resident"));
    let text = screen_text(&render(&a));
    assert!(text.contains("▶ Resident"), "{text}");
}

#[test]
fn a_question_hit_opens_revealed_after_ctrl_r() {
    let mut a = app(80, 24);
    open_question_hit(&mut a, 1);
    assert_eq!(a.browse().section, Section::Discussion);
    assert_eq!(selected_question(&a), "alpha-resident");
    assert!(a.browse().revealed.contains("alpha-resident"));
    assert_eq!(a.browse().revealed.len(), 1);

    // Toggled back off (the reopened search keeps the setting): it opens hidden again, even
    // though it was revealed before.
    open_question_hit(&mut a, 1);
    assert!(!a.search().is_some_and(|s| s.reveal_on_open));
    assert!(!a.browse().revealed.contains("alpha-resident"));
}

#[test]
fn a_question_hit_clears_a_role_filter_that_would_hide_it() {
    let mut a = app(80, 24);
    apply(&mut a, [Action::Open, Action::SetRole(Some(Role::PhD))]);
    open_question_hit(&mut a, 0);
    assert_eq!(a.browse().role, None);
    assert_eq!(selected_question(&a), "alpha-resident");

    let mut a = app(80, 24);
    apply(
        &mut a,
        [Action::Open, Action::SetRole(Some(Role::Resident))],
    );
    open_question_hit(&mut a, 0);
    assert_eq!(
        a.browse().role,
        Some(Role::Resident),
        "a filter that shows it is kept"
    );
    assert_eq!(selected_question(&a), "alpha-resident");
}

// --- quit, suspend, help ----------------------------------------------------------------------

#[test]
fn quit_and_force_quit_are_effects() {
    for a_ in [Action::Quit, Action::ForceQuit] {
        let mut a = app(80, 24);
        assert_eq!(step(&mut a, a_), Effect::Quit);
    }
    let mut a = app(80, 24);
    assert_eq!(
        press(&mut a, ch('q')),
        Effect::Quit,
        "q quits from the list"
    );
    let mut a = app(80, 24);
    press(&mut a, key(KeyCode::Enter));
    assert_eq!(
        press(&mut a, ch('q')),
        Effect::Quit,
        "q quits from the detail"
    );
    let mut a = app(80, 24);
    press(&mut a, ch('/'));
    assert!(
        matches!(press(&mut a, ch('q')), Effect::Search { .. }),
        "q is text in search"
    );
    assert_eq!(
        press(&mut a, ctrl('c')),
        Effect::Quit,
        "Ctrl+C quits from search"
    );
    let mut a = app(80, 24);
    press(&mut a, ch('?'));
    assert_eq!(
        press(&mut a, ctrl('c')),
        Effect::Quit,
        "Ctrl+C quits from help"
    );
    // Ordinary actions have no effect outside the app.
    let mut a = app(80, 24);
    for act in [
        Action::Down,
        Action::Open,
        Action::NextSection,
        Action::Back,
    ] {
        assert_eq!(step(&mut a, act), Effect::None);
    }
}

#[test]
fn suspend_is_an_effect() {
    let mut a = app(80, 24);
    assert_eq!(press(&mut a, ctrl('z')), Effect::Suspend);
    let mut a = app(80, 24);
    press(&mut a, ch('/'));
    assert_eq!(press(&mut a, ctrl('z')), Effect::Suspend, "from search too");
    assert!(a.search().is_some(), "suspending keeps the overlay");
}

#[test]
fn help_opens_scrolls_and_closes() {
    let mut a = app(80, 24);
    step(&mut a, Action::Open);
    let before = a.browse().place();
    press(&mut a, ch('?'));
    assert_eq!(a.context(), Context::Help);
    assert_eq!(a.help().map(|h| h.scroll), Some(0));
    press(&mut a, ch('j'));
    press(&mut a, ch('j'));
    assert_eq!(a.help().map(|h| h.scroll), Some(2));
    press(&mut a, ch('k'));
    assert_eq!(a.help().map(|h| h.scroll), Some(1));
    let page = layout::help_body(a.size).height as usize;
    press(&mut a, key(KeyCode::PageDown));
    assert_eq!(a.help().map(|h| h.scroll), Some(1 + page));
    press(&mut a, ch('G'));
    let max = trialdeck::tui::lines::help::help_max_scroll(&a.keymap, a.size);
    assert!(max > 1 + page, "help is long at 80x24");
    assert_eq!(a.help().map(|h| h.scroll), Some(max));
    press(&mut a, ch('j'));
    assert_eq!(a.help().map(|h| h.scroll), Some(max), "j stops at the end");
    press(&mut a, ch('g'));
    assert_eq!(a.help().map(|h| h.scroll), Some(0));
    press(&mut a, ch('/'));
    assert!(a.search().is_none(), "global keys do not leak through help");
    assert_eq!(press(&mut a, ch('q')), Effect::None);
    assert!(a.help().is_none(), "q closes help rather than quitting");
    assert_eq!(a.browse().place(), before);
    for close in [key(KeyCode::Esc), ch('?'), key(KeyCode::Enter)] {
        press(&mut a, ch('?'));
        press(&mut a, close);
        assert!(a.help().is_none(), "{close:?}");
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
    step(&mut a, Action::Down);
    assert_eq!(a.message, None, "messages last one action");
}

// --- mouse ------------------------------------------------------------------------------------

#[test]
fn clicks_on_drawn_text_select_rows_panels_and_tabs() {
    let mut a = app(80, 24);
    // A list row, found by its name on screen.
    click_text(&mut a, "Drug A mech");
    assert_eq!((a.browse().focus, a.browse().list_sel), (Focus::List, 1));
    click_text(&mut a, "ALPHA");
    assert_eq!(a.browse().list_sel, 0);
    // The list border selects nothing but focuses the list.
    let list = layout::browse(a.size, Focus::List).list.unwrap();
    step(&mut a, Action::Click(list.x, list.y));
    assert_eq!(a.browse().list_sel, 0);
    // Each tab, found by its label in the tab row, selects its section.
    let detail = layout::browse(a.size, Focus::Detail).detail.unwrap();
    for s in Section::ALL {
        let row = layout::tab_row(detail);
        let tabs = layout::tabs(row.width, a.browse().section);
        let Some(tab) = tabs.iter().find(|t| t.section == s) else {
            // Not in the visible window of tabs: step there with the keyboard.
            step(&mut a, Action::GotoSection(s.index() as u8 + 1));
            continue;
        };
        let terminal = render(&a);
        let buf = terminal.backend().buffer();
        let (x, y) = common::find_all(buf, &format!(" {}", tab.label))
            .into_iter()
            .find(|&(_, y)| y == row.y)
            .unwrap_or_else(|| panic!("tab {:?} drawn:\n{}", tab.label, screen_text(&terminal)));
        step(&mut a, Action::Click(x + 1, y));
        assert_eq!(a.browse().section, s, "clicked {:?}", tab.label);
        assert_eq!(a.browse().focus, Focus::Detail);
    }
}

#[test]
fn a_click_on_a_finding_selects_it() {
    let mut a = app(120, 40);
    apply(&mut a, [Action::Open, Action::GotoSection(2)]);
    click_text(&mut a, "Objective response");
    assert_eq!(a.browse().item, 1);
    assert!(screen_text(&render(&a)).contains("More patients responded"));
    click_text(&mut a, "Progression-free");
    assert_eq!(a.browse().item, 0);
}

#[test]
fn a_second_click_on_a_question_reveals_it() {
    let mut a = app(120, 40);
    apply(&mut a, [Action::Open, Action::GotoSection(9)]);
    click_text(&mut a, "How would you explain");
    assert_eq!(selected_question(&a), "alpha-resident");
    assert!(a.browse().revealed.is_empty(), "the first click selects");
    click_text(&mut a, "How would you explain");
    assert!(a.browse().revealed.contains("alpha-resident"));
}

#[test]
fn clicks_after_a_scroll_hit_the_scrolled_lines_without_any_render() {
    // Find where the resident question is drawn once the view is scrolled, in a twin app, and
    // click there in an app that has never been drawn.
    let actions = [
        Action::Open,
        Action::GotoSection(9),
        Action::Reveal,
        Action::ScrollDown(60, 20),
        Action::ScrollDown(60, 20),
    ];
    let mut twin = app(100, 30);
    apply(&mut twin, actions.clone());
    assert!(
        twin.browse().scroll > 0,
        "the wheel scrolled the discussion"
    );
    let (x, y) = find(render(&twin).backend().buffer(), "How would you explain");

    let mut a = app(100, 30);
    apply(&mut a, actions);
    assert_eq!(a.browse().scroll, twin.browse().scroll);
    step(&mut a, Action::Click(x, y));
    assert_eq!(selected_question(&a), "alpha-resident");
}

#[test]
fn clicks_follow_a_resize_without_any_render() {
    // Sized 120x40, then resized: row geometry comes from the new size at once.
    let mut a = app(120, 40);
    step(&mut a, Action::Resize(80, 24));
    let list = layout::inner(layout::browse(a.size, Focus::List).list.unwrap());
    step(&mut a, Action::Click(list.x + 2, list.y + 1));
    assert_eq!(a.browse().list_sel, 1);
    // In the one-pane layout, the list fills the width.
    step(&mut a, Action::Resize(60, 20));
    step(&mut a, Action::Click(50, list.y));
    assert_eq!(a.browse().list_sel, 0);
}

#[test]
fn wheel_moves_the_list_or_scrolls_the_detail() {
    let mut a = app(80, 24);
    let areas = layout::browse(a.size, a.browse().focus);
    let list = areas.list.unwrap();
    let detail = areas.detail.unwrap();
    step(&mut a, Action::ScrollDown(list.x + 2, list.y + 2));
    assert_eq!(a.browse().list_sel, 1);
    step(&mut a, Action::ScrollUp(list.x + 2, list.y + 2));
    assert_eq!(a.browse().list_sel, 0);
    step(&mut a, Action::ScrollDown(detail.x + 2, detail.y + 4));
    assert_eq!(a.browse().scroll, 3);
    step(&mut a, Action::ScrollUp(detail.x + 2, detail.y + 4));
    step(&mut a, Action::ScrollUp(detail.x + 2, detail.y + 4));
    assert_eq!(a.browse().scroll, 0);
}

#[test]
fn clicking_in_help_closes_it() {
    let mut a = app(80, 24);
    step(&mut a, Action::OpenHelp);
    step(&mut a, Action::Click(1, 1));
    assert!(a.help().is_none());
}

#[test]
fn clicking_a_search_result_selects_it_and_a_second_click_opens_it() {
    let mut a = app(80, 24);
    step(&mut a, Action::OpenSearch);
    type_query(&mut a, "alpha");
    let hits = a.search().unwrap().hits.clone();
    assert!(hits.len() >= 2);
    // The second hit's title, found on screen.
    let title: String = hits[1].title.chars().take(12).collect();
    click_text(&mut a, &title);
    assert_eq!(a.search().unwrap().selected, 1);
    let first: String = hits[0].title.chars().take(12).collect();
    click_text(&mut a, &first);
    assert_eq!(a.search().unwrap().selected, 0);
    // Below the last hit: nothing.
    let r = layout::search(a.size).results;
    step(&mut a, Action::Click(10, r.y + r.height + 5));
    assert_eq!(a.search().unwrap().selected, 0);
    // Again on the selected hit: it opens.
    click_text(&mut a, &first);
    assert!(a.search().is_none());
    assert_eq!(entry_id(&a), hits[0].entry);
}

#[test]
fn resize_sets_the_size() {
    let mut a = app(80, 24);
    step(&mut a, Action::Resize(33, 7));
    assert_eq!(a.size, (33, 7));
}

// --- keymap -----------------------------------------------------------------------------------

#[test]
fn map_event_keys() {
    let press_ev = |k: KeyEvent| Event::Key(k);
    assert_eq!(map(Context::List, &press_ev(ch('j'))), Some(Action::Down));
    assert_eq!(
        map(Context::Detail, &press_ev(ch(' '))),
        Some(Action::Reveal)
    );
    assert_eq!(
        map(Context::Detail, &press_ev(ch('r'))),
        Some(Action::NextRole)
    );
    assert_eq!(
        map(Context::List, &press_ev(ch('R'))),
        Some(Action::PrevRole)
    );
    assert_eq!(
        map(Context::Detail, &press_ev(ch('x'))),
        Some(Action::HideAll)
    );
    assert_eq!(
        map(Context::List, &press_ev(ch('3'))),
        Some(Action::GotoSection(3))
    );
    assert_eq!(
        map(Context::Search, &press_ev(ctrl('r'))),
        Some(Action::SearchToggleReveal)
    );
    assert_eq!(
        map(Context::Search, &press_ev(ch(' '))),
        Some(Action::SearchInput(' '))
    );
    assert_eq!(
        map(Context::Search, &press_ev(key(KeyCode::Esc))),
        Some(Action::Back)
    );
    assert_eq!(
        map(
            Context::List,
            &press_ev(KeyEvent::new(
                KeyCode::Char('C'),
                KeyModifiers::CONTROL | KeyModifiers::SHIFT
            ))
        ),
        Some(Action::ForceQuit),
        "Ctrl+Shift+C still quits"
    );
    assert_eq!(map(Context::List, &press_ev(key(KeyCode::F(5)))), None);
    assert_eq!(
        map(
            Context::List,
            &press_ev(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::ALT))
        ),
        None,
        "Alt+j is not j"
    );
    // Releases are ignored; repeats act.
    let mut release = ch('j');
    release.kind = KeyEventKind::Release;
    assert_eq!(map(Context::List, &Event::Key(release)), None);
    let mut repeat = ch('j');
    repeat.kind = KeyEventKind::Repeat;
    assert_eq!(map(Context::List, &Event::Key(repeat)), Some(Action::Down));
}

#[test]
fn lookup_help_context_only_has_its_own_keys() {
    assert_eq!(lookup(Context::Help, &ch('q')), Some(Action::Back));
    assert_eq!(lookup(Context::Help, &ch('t')), None);
    assert_eq!(lookup(Context::Help, &ctrl('c')), Some(Action::ForceQuit));
    assert_eq!(lookup(Context::Help, &ch(' ')), Some(Action::PageDown));
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
                map(ctx, &mouse(MouseEventKind::Down(b), 7, 9)),
                Some(Action::Click(7, 9))
            );
        }
        assert_eq!(
            map(ctx, &mouse(MouseEventKind::ScrollUp, 3, 4)),
            Some(Action::ScrollUp(3, 4))
        );
        assert_eq!(
            map(ctx, &mouse(MouseEventKind::ScrollDown, 3, 4)),
            Some(Action::ScrollDown(3, 4))
        );
        assert_eq!(map(ctx, &mouse(MouseEventKind::Moved, 3, 4)), None);
        assert_eq!(
            map(ctx, &mouse(MouseEventKind::Up(MouseButton::Left), 3, 4)),
            None
        );
        assert_eq!(
            map(ctx, &mouse(MouseEventKind::Drag(MouseButton::Left), 3, 4)),
            None
        );
    }
}

#[test]
fn map_event_paste_resize_and_others() {
    assert_eq!(
        map(Context::Search, &Event::Paste("ALPHA trial".into())),
        Some(Action::SearchPaste("ALPHA trial".into()))
    );
    for ctx in [Context::List, Context::Detail, Context::Help] {
        assert_eq!(map(ctx, &Event::Paste("q".into())), None, "{ctx:?}");
    }
    assert_eq!(
        map(Context::List, &Event::Resize(100, 30)),
        Some(Action::Resize(100, 30))
    );
    assert_eq!(map(Context::List, &Event::FocusGained), None);
    assert_eq!(map(Context::List, &Event::FocusLost), None);
}

#[test]
fn a_paste_in_the_app_reaches_the_query() {
    let mut a = app(80, 24);
    press(&mut a, ch('/'));
    let act = a
        .keymap
        .map_event(a.context(), &Event::Paste("hazard".into()))
        .unwrap();
    step(&mut a, act);
    assert_eq!(a.search().unwrap().query, "hazard");
    assert!(
        a.search()
            .unwrap()
            .hits
            .iter()
            .any(|h| h.kind == HitKind::Question)
    );
    press_all(&mut a, &[key(KeyCode::Esc)]);
    assert!(a.search().is_none());
}

#[test]
fn a_rebound_key_drives_the_app() {
    let mut o = BTreeMap::new();
    o.insert("detail.next_section".to_string(), "n".to_string());
    o.insert("global.quit".to_string(), "Ctrl+Q".to_string());
    let keymap = Keymap::with_overrides(&o).expect("valid overrides");
    let mut a = Tester::new(
        App::new(
            common::mini_library(),
            trialdeck::tui::theme::ThemeName::Dark,
        )
        .with_keymap(keymap),
    );
    step(&mut a, Action::Resize(80, 24));
    press(&mut a, key(KeyCode::Enter));
    press(&mut a, ch('n'));
    assert_eq!(a.browse().section, Section::Findings);
    press(&mut a, ch('l'));
    assert_eq!(
        a.browse().section,
        Section::Findings,
        "l is no longer bound"
    );
    assert_eq!(press(&mut a, ch('q')), Effect::None, "q no longer quits");
    assert_eq!(press(&mut a, ctrl('q')), Effect::Quit);
    // Help and the footer describe the new keys.
    step(&mut a, Action::Resize(200, 40));
    let text = screen_text(&render(&a));
    assert!(text.contains(" n  sections"), "footer:\n{text}");
    step(&mut a, Action::OpenHelp);
    let help = screen_text(&render(&a));
    assert!(help.contains("Ctrl+Q"), "{help}");
}

/// The example keymap shipped in the docs parses, and every binding in it is applied.
#[test]
fn the_shipped_example_keymap_parses() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/keymap.example.ron");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("docs/keymap.example.ron is shipped: {e}"));
    let keymap = Keymap::from_ron(&text).unwrap_or_else(|e| panic!("it parses: {e:?}"));
    let overrides: BTreeMap<String, String> = ron::from_str(&text).expect("a map of strings");
    assert!(!overrides.is_empty(), "the example rebinds something");
    for (name, keys) in &overrides {
        let (ctx, action) = name.split_once('.').expect("context.action");
        let ctx = Context::from_name(ctx).expect("a context");
        let action = Action::from_name(action).expect("an action");
        let b = keymap
            .bindings
            .iter()
            .find(|b| b.ctx == ctx && b.action == action)
            .expect("a binding");
        let want: Vec<_> = keys
            .split_whitespace()
            .map(|k| trialdeck::tui::keymap::Key::parse(k).expect("a key"))
            .collect();
        assert_eq!(b.keys, want, "{name}");
    }
}

#[test]
fn a_burst_of_keys_asks_for_one_search_per_key_and_the_newest_answer_wins() {
    let mut a = app(120, 40);
    step(&mut a, Action::OpenSearch);
    // Keys applied without carrying out their effects, as within one burst of the loop.
    let mut asked = Vec::new();
    for c in "alpha".chars() {
        match a.app.update(Action::SearchInput(c), NOW) {
            Effect::Search { seq, query } => asked.push((seq, query)),
            other => panic!("typing asks for a search, got {other:?}"),
        }
    }
    let st = a.search().expect("search open");
    assert!(st.pending, "the query waits for its hits");
    assert!(st.hits.is_empty(), "no search ran per key");
    assert!(asked.windows(2).all(|w| w[0].0 < w[1].0), "{asked:?}");
    assert_eq!(asked.last().map(|q| q.1.as_str()), Some("alpha"));
    // Only the newest is carried out (the runtime coalesces a burst).
    let (seq, query) = asked.pop().expect("asked");
    a.services
        .settle(&mut a.app, Effect::Search { seq, query }, NOW);
    let st = a.search().expect("search open");
    assert!(!st.pending);
    assert!(!st.hits.is_empty(), "one search after the burst");
    // A key that needs the hits (Enter) waits for hits on their way, then acts on them.
    let effect = a.app.update(Action::SearchBackspace, NOW);
    assert!(a.search().expect("open").pending);
    assert_eq!(a.app.update(Action::Open, NOW), Effect::None);
    assert!(a.search().is_some(), "Enter waits for the hits");
    a.services.settle(&mut a.app, effect, NOW);
    assert!(a.search().is_none(), "the first hit of \"alph\" opened");
    assert_eq!(a.browse().focus, Focus::Detail);
}

#[test]
fn a_click_on_a_key_point_ticks_it_and_the_suggested_grade_follows() {
    use trialdeck::tui::app::{Quiz, Session};
    let mut a = app(100, 40);
    a.start_quiz(
        trialdeck::review::Filter {
            trials: vec!["alpha".into()],
            roles: vec![Role::MedicalStudent],
            no_facts: true,
            ..Default::default()
        },
        false,
    );
    step(&mut a, Action::Reveal);
    let ticked = |a: &App| match a.quiz() {
        Some(Quiz::Running(Session { ticked, .. })) => *ticked,
        other => panic!("not in a session: {:?}", other.map(|_| ())),
    };
    assert_eq!(ticked(&a), 0);
    // Click on the second point's text, as drawn, with no render in between the two clicks.
    let (x, y) = click_text(&mut a, "PFS 9.0 vs 6.0 months");
    assert_eq!(ticked(&a), 0b10, "the clicked point is ticked");
    step(&mut a, Action::Click(x, y));
    assert_eq!(ticked(&a), 0, "a second click unticks it");
    click_text(&mut a, "Drug A versus drug B, 400 patients");
    click_text(&mut a, "Response 40% vs 30%");
    assert_eq!(ticked(&a), 0b101);
}

#[test]
fn off_thread_search_shows_only_the_newest_querys_hits() {
    use trialdeck::tui::runtime::Incoming;
    let mut a = app(120, 40);
    // Score every query on the worker thread, as for a large library.
    a.services.async_records = 0;
    let wait =
        |a: &common::Tester| match a.incoming.recv_timeout(std::time::Duration::from_secs(20)) {
            Ok(Incoming::Searched { seq, hits }) => (seq, hits),
            other => panic!("expected hits from the worker, got {other:?}"),
        };
    step(&mut a, Action::OpenSearch);
    // Type, then carry out only the newest query (as the loop does after a burst).
    let typed = |a: &mut common::Tester, s: &str| {
        let mut last = Effect::None;
        for c in s.chars() {
            last = a.app.update(Action::SearchInput(c), NOW);
        }
        a.services.carry_out(&mut a.app, last, NOW);
    };
    typed(&mut a, "alp");
    let (s1, old) = wait(&a);
    assert!(!old.is_empty());
    assert!(
        a.search_pending(),
        "the worker's hits come back through the loop"
    );
    typed(&mut a, "ha");
    let (s2, new) = wait(&a);
    assert!(s2 > s1);
    assert!(a.search_pending(), "the newest query's hits are not in yet");
    // The older query's hits arriving late are dropped.
    let mut a2 = a;
    let e = a2.app.receive(
        trialdeck::tui::app::Reply::Searched { seq: s1, hits: old },
        NOW,
    );
    assert_eq!(e, Effect::None);
    assert!(a2.search_pending(), "still waiting for the newest query");
    a2.app.receive(
        trialdeck::tui::app::Reply::Searched {
            seq: s2,
            hits: new.clone(),
        },
        NOW,
    );
    assert!(!a2.search_pending());
    assert_eq!(a2.search().expect("open").hits, new);
    assert_eq!(a2.search().expect("open").query, "alpha");
}
