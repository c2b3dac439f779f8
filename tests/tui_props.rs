//! Property: any sequence of actions, at any terminal size (including 0×0), followed each time
//! by a draw into a `TestBackend` of that size, never panics.

mod common;
use common::Tester;

use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use trialdeck::content::{Library, Role};
use trialdeck::tui::action::Action;
use trialdeck::tui::app::App;
use trialdeck::tui::theme::ThemeName;

fn any_role() -> impl Strategy<Value = Option<Role>> {
    prop_oneof![
        Just(None),
        proptest::sample::select(Role::ALL.to_vec()).prop_map(Some)
    ]
}

fn any_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => proptest::char::range('a', 'z'),
        1 => proptest::sample::select(vec![
            ' ', 'A', 'Z', '0', '\'', '!', '@', '#', '/', 'é', 'ß', '中', '≥', '😀', '\u{301}',
            '\u{200b}', '\t', '\n', '\u{1b}', '\u{7f}',
        ]),
        1 => any::<char>(),
    ]
}

fn coord() -> impl Strategy<Value = u16> {
    prop_oneof![4 => 0u16..210, 1 => any::<u16>()]
}

/// Every `Action` variant.
fn any_action() -> impl Strategy<Value = Action> {
    prop_oneof![
        Just(Action::Quit),
        Just(Action::ForceQuit),
        Just(Action::Suspend),
        Just(Action::Up),
        Just(Action::Down),
        Just(Action::PageUp),
        Just(Action::PageDown),
        Just(Action::Top),
        Just(Action::Bottom),
        Just(Action::Open),
        Just(Action::Back),
        Just(Action::SwitchPanel),
        Just(Action::NextSection),
        Just(Action::PrevSection),
        Just(Action::Reveal),
        Just(Action::HideAll),
        Just(Action::NextRole),
        Just(Action::PrevRole),
        (0u8..=10).prop_map(Action::GotoSection),
        any_role().prop_map(Action::SetRole),
        Just(Action::CycleSort),
        Just(Action::CycleTheme),
        Just(Action::OpenSearch),
        Just(Action::OpenHelp),
        any_char().prop_map(Action::SearchInput),
        proptest::collection::vec(any_char(), 0..40)
            .prop_map(|v| Action::SearchPaste(v.into_iter().collect())),
        Just(Action::SearchBackspace),
        Just(Action::SearchClear),
        Just(Action::SearchToggleReveal),
        (coord(), coord()).prop_map(|(x, y)| Action::Click(x, y)),
        (coord(), coord()).prop_map(|(x, y)| Action::ScrollUp(x, y)),
        (coord(), coord()).prop_map(|(x, y)| Action::ScrollDown(x, y)),
        any_size().prop_map(|(w, h)| Action::Resize(w, h)),
    ]
}

/// A terminal size from 0×0 to 200×60, more often small (small sizes find the edge cases,
/// and big ones are slow to draw in a debug build).
fn any_size() -> impl Strategy<Value = (u16, u16)> {
    prop_oneof![
        2 => (0u16..=60, 0u16..=20),
        2 => (0u16..=120, 0u16..=40),
        1 => (0u16..=200, 0u16..=60),
    ]
}

#[derive(Debug, Clone)]
enum Step {
    Act(Action),
    /// The terminal changes size: the app is told, and the next draws use it.
    Size(u16, u16),
}

fn any_step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => any_action().prop_map(Step::Act),
        1 => any_size().prop_map(|(w, h)| Step::Size(w, h)),
    ]
}

fn library() -> Library {
    static LIB: std::sync::OnceLock<Library> = std::sync::OnceLock::new();
    LIB.get_or_init(common::mini_library).clone()
}

/// Draw into a test terminal of `w`×`h`, reusing it while the size stays the same.
fn draw(terminal: &mut Option<Terminal<TestBackend>>, app: &App, w: u16, h: u16) {
    let same = terminal
        .as_ref()
        .is_some_and(|t| t.backend().buffer().area == ratatui::layout::Rect::new(0, 0, w, h));
    if !same {
        *terminal = Some(Terminal::new(TestBackend::new(w, h)).expect("test terminal"));
    }
    let t = terminal.as_mut().expect("terminal");
    t.draw(|f| trialdeck::tui::ui::render(app, f))
        .expect("draw");
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 128,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_actions_at_any_size_never_panic(
        theme in proptest::sample::select(ThemeName::ALL.to_vec()),
        start in any_size(),
        steps in proptest::collection::vec(any_step(), 0..60),
    ) {
        let mut app = Tester::new(App::new(library(), theme));
        let (mut w, mut h) = start;
        common::step(&mut app, Action::Resize(w, h));
        let mut terminal = None;
        draw(&mut terminal, &app, w, h);
        for step in steps {
            match step {
                Step::Act(a) => {
                    // A Resize action is what the runtime sends when the terminal changes,
                    // so the backend follows it.
                    if let Action::Resize(nw, nh) = a {
                        (w, h) = (nw, nh);
                    }
                    // Quit and suspend are effects the runtime carries out; the state
                    // stays valid whatever they are.
                    let _ = common::step(&mut app, a);
                }
                Step::Size(nw, nh) => {
                    (w, h) = (nw, nh);
                    common::step(&mut app, Action::Resize(w, h));
                }
            }
            draw(&mut terminal, &app, w, h);
            let b = app.browse();
            prop_assert!(b.list_sel < b.order.len().max(1));
            prop_assert!(b.item < b.item_count(&app.lib).max(1));
            // The scroll never passes what there is to show at this size.
            if let Some((s, body)) = b.detail_lines(&app.lib, app.look(), app.size)
                && b.section != trialdeck::tui::app::Section::Forest
            {
                prop_assert!(b.scroll <= s.lines.len().saturating_sub(body.height as usize));
            }
            if let Some(st) = app.search() {
                prop_assert!(st.selected < st.hits.len().max(1));
            }
        }
    }
}
