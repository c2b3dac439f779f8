//! Every view of the app, drawn into a `TestBackend` on the fictional mini pack and compared
//! with committed `insta` snapshots; plus styled-buffer checks where style carries meaning.
//!
//! The app is driven only through `App::update(Action, now)` with a fixed clock. Regenerate with
//! `INSTA_UPDATE=always cargo test --test tui_snapshots` and review the `.snap` diffs.

mod common;
use common::Tester;

use common::{app, app_with, apply, render, screen_text, step, type_query};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};
use trialdeck::content::Role;
use trialdeck::tui::action::Action;
use trialdeck::tui::app::Section;
use trialdeck::tui::theme::{Theme, ThemeName};

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

/// Open the first trial's detail on `section`.
fn open_section(app: &mut Tester, section: Section) {
    step(app, Action::Open);
    while app.browse().section != section {
        step(app, Action::NextSection);
    }
}

/// Snapshot the view that `setup` leads to at every standard size.
fn snap_view(name: &str, setup: impl Fn(&mut Tester)) {
    for (w, h) in SIZES {
        let mut a = app(w, h);
        setup(&mut a);
        let terminal = render(&a);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), terminal.backend());
    }
}

#[test]
fn list_and_overview() {
    snap_view("list_overview", |_| {});
}

#[test]
fn detail_focused_overview() {
    snap_view("detail_overview", |a| {
        step(a, Action::Open);
    });
}

#[test]
fn findings_table() {
    snap_view("findings", |a| open_section(a, Section::Findings));
}

#[test]
fn forest_plot() {
    snap_view("forest", |a| open_section(a, Section::Forest));
}

#[test]
fn safety() {
    snap_view("safety", |a| open_section(a, Section::Safety));
}

#[test]
fn appraisal() {
    snap_view("appraisal", |a| open_section(a, Section::Appraisal));
}

#[test]
fn related() {
    snap_view("related", |a| open_section(a, Section::Related));
}

#[test]
fn discrepancies() {
    snap_view("discrepancies", |a| open_section(a, Section::Discrepancies));
}

#[test]
fn sources() {
    snap_view("sources", |a| open_section(a, Section::Sources));
}

#[test]
fn discussion_hidden() {
    snap_view("discussion_hidden", |a| {
        open_section(a, Section::Discussion)
    });
}

#[test]
fn discussion_revealed() {
    snap_view("discussion_revealed", |a| {
        open_section(a, Section::Discussion);
        step(a, Action::Reveal);
    });
}

#[test]
fn discussion_role_filter() {
    snap_view("discussion_role_resident", |a| {
        open_section(a, Section::Discussion);
        step(a, Action::SetRole(Some(Role::Resident)));
    });
}

#[test]
fn discussion_role_without_questions() {
    snap_view("discussion_role_fellow", |a| {
        open_section(a, Section::Discussion);
        step(a, Action::SetRole(Some(Role::Fellow)));
    });
}

#[test]
fn topic_overview() {
    snap_view("topic_overview", |a| {
        step(a, Action::Down);
        step(a, Action::Open);
    });
}

#[test]
fn search_overlay_with_query() {
    snap_view("search_alpha", |a| {
        step(a, Action::OpenSearch);
        type_query(a, "alpha");
    });
}

#[test]
fn search_overlay_empty_and_no_match() {
    snap_view("search_empty", |a| {
        step(a, Action::OpenSearch);
    });
    snap_view("search_no_match", |a| {
        step(a, Action::OpenSearch);
        type_query(a, "zzzz");
    });
}

#[test]
fn help_overlay() {
    snap_view("help", |a| {
        step(a, Action::OpenHelp);
    });
}

#[test]
fn narrow_single_panel() {
    // Below the split width only the focused panel is shown.
    let mut a = app(60, 20);
    insta::assert_snapshot!("narrow_list_60x20", render(&a).backend());
    open_section(&mut a, Section::Findings);
    insta::assert_snapshot!("narrow_findings_60x20", render(&a).backend());
    step(&mut a, Action::NextSection);
    insta::assert_snapshot!("narrow_forest_60x20", render(&a).backend());
}

#[test]
fn too_small_asks_for_a_larger_window() {
    let a = app(30, 8);
    let terminal = render(&a);
    let text = screen_text(&terminal);
    assert!(
        text.contains("Make the window"),
        "the too-small message is shown:\n{text}"
    );
    insta::assert_snapshot!("too_small_30x8", terminal.backend());
}

#[test]
fn minimum_size_draws_the_app() {
    let a = app(40, 10);
    let terminal = render(&a);
    let text = screen_text(&terminal);
    assert!(!text.contains("Make the window"), "{text}");
    assert!(text.contains("ALPHA"), "{text}");
    insta::assert_snapshot!("minimum_40x10", terminal.backend());
    let mut a = app(40, 10);
    open_section(&mut a, Section::Discussion);
    step(&mut a, Action::Reveal);
    insta::assert_snapshot!("minimum_discussion_40x10", render(&a).backend());
    let mut a = app(40, 10);
    step(&mut a, Action::OpenSearch);
    type_query(&mut a, "alpha");
    insta::assert_snapshot!("minimum_search_40x10", render(&a).backend());
}

#[test]
fn degenerate_sizes_do_not_panic() {
    for (w, h) in [
        (0, 0),
        (1, 1),
        (0, 24),
        (80, 0),
        (1, 40),
        (200, 1),
        (39, 10),
        (40, 9),
    ] {
        for setup in [
            (|_: &mut Tester| {}) as fn(&mut Tester),
            |a| open_section(a, Section::Forest),
            |a| open_section(a, Section::Discussion),
            |a| {
                step(a, Action::OpenSearch);
                type_query(a, "alpha");
            },
            |a| {
                step(a, Action::OpenHelp);
            },
        ] {
            let mut a = app(w, h);
            setup(&mut a);
            let _ = render(&a);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Styles that carry meaning.

fn row_text(buf: &Buffer, y: u16) -> String {
    (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect()
}

/// Positions (column, row) of the cells where `needle` starts within columns `cols`.
fn find_all(buf: &Buffer, needle: &str, cols: std::ops::Range<u16>) -> Vec<(u16, u16)> {
    let chars: Vec<String> = needle.chars().map(String::from).collect();
    let mut out = Vec::new();
    for y in 0..buf.area.height {
        for x in cols.clone() {
            if chars.iter().enumerate().all(|(i, c)| {
                let cx = x + i as u16;
                cx < cols.end && buf[(cx, y)].symbol() == c
            }) {
                out.push((x, y));
            }
        }
    }
    out
}

/// The first place `needle` is drawn inside the list panel (which is 22 columns wide at 80).
fn find_in_list(buf: &Buffer, needle: &str) -> Option<(u16, u16)> {
    find_all(buf, needle, 0..22).first().copied()
}

/// Copy `width` cells starting at (x, y) into a one-row buffer at the origin.
fn cut(buf: &Buffer, x: u16, y: u16, width: u16) -> Buffer {
    let mut out = Buffer::empty(Rect::new(0, 0, width, 1));
    for i in 0..width {
        out[(i, 0)] = buf[(x + i, y)].clone();
    }
    out
}

#[test]
fn search_matches_are_bold_underlined_and_nothing_else_is() {
    for theme in ThemeName::ALL {
        let mut a = app_with(theme, 100, 30);
        step(&mut a, Action::OpenSearch);
        type_query(&mut a, "alpha");
        let terminal = render(&a);
        let buf = terminal.backend().buffer();
        let t = Theme::new(theme);

        // The selected trial hit shows its title with the matched name highlighted in place.
        let title = "ALPHA: Drug A versus";
        let (x, y) = find_all(buf, title, 0..buf.area.width)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("trial hit on screen ({theme:?})"));
        let got = cut(buf, x, y, title.chars().count() as u16);
        let mut want = Buffer::with_lines([title]);
        want.set_style(Rect::new(0, 0, 5, 1), t.base.patch(t.matched));
        want.set_style(Rect::new(5, 0, 15, 1), t.base.patch(t.selected));
        assert_eq!(got, want, "styled title in {theme:?}");

        // Both style facts hold without looking at colour.
        let matched = Modifier::BOLD | Modifier::UNDERLINED;
        for cx in 0..buf.area.width {
            let in_match = (x..x + 5).contains(&cx);
            assert_eq!(
                buf[(cx, y)].modifier.contains(matched),
                in_match,
                "column {cx} ({:?}) of {:?} in {theme:?}",
                buf[(cx, y)].symbol(),
                row_text(buf, y)
            );
        }
    }
}

#[test]
fn selected_rows_have_a_marker_not_only_a_colour() {
    for theme in ThemeName::ALL {
        let mut a = app_with(theme, 80, 24);
        let t = Theme::new(theme);
        for sel in 0..2usize {
            let terminal = render(&a);
            let buf = terminal.backend().buffer();
            let (_, alpha_row) = find_in_list(buf, "ALPHA").expect("ALPHA row");
            let (_, topic_row) = find_in_list(buf, "Drug A mech").expect("topic row");
            let rows = [alpha_row, topic_row];
            for (i, &y) in rows.iter().enumerate() {
                // The list's inner area starts at column 1 (after the border).
                let marker = buf[(1, y)].symbol();
                if i == sel {
                    assert_eq!(marker, "▶", "selected row {i} has the marker ({theme:?})");
                    let style = buf[(3, y)].style();
                    assert_eq!(
                        style.add_modifier,
                        t.base.patch(t.selected).add_modifier,
                        "selected row style ({theme:?})"
                    );
                } else {
                    assert_eq!(marker, " ", "row {i} is unmarked ({theme:?})");
                }
            }
            step(&mut a, Action::Down);
        }
    }
}

#[test]
fn selected_search_hit_has_a_marker() {
    let mut a = app(100, 30);
    step(&mut a, Action::OpenSearch);
    type_query(&mut a, "alpha");
    // The overlay covers the whole width between header and footer.
    for (downs, kind) in [(0, "trial"), (1, "finding")] {
        apply(&mut a, std::iter::repeat_n(Action::Down, downs));
        let text = screen_text(&render(&a));
        let marked: Vec<String> = text
            .lines()
            .map(|l| l.to_string())
            .filter(|l| l.contains('▶'))
            .collect();
        assert_eq!(marked.len(), 1, "{text}");
        assert!(marked[0].contains(kind), "{}", marked[0]);
    }
}

/// Every view of the app, as actions from a fresh app.
fn all_views() -> Vec<Vec<Action>> {
    let mut views: Vec<Vec<Action>> = vec![vec![], vec![Action::Open]];
    for n in 1..Section::ALL.len() {
        let mut v = vec![Action::Open];
        v.extend(std::iter::repeat_n(Action::NextSection, n));
        views.push(v);
    }
    let disc = || {
        let mut v = vec![Action::Open];
        v.extend(std::iter::repeat_n(Action::NextSection, 8));
        v
    };
    views.push([disc(), vec![Action::Reveal]].concat());
    views.push([disc(), vec![Action::NextRole, Action::NextRole]].concat());
    views.push(vec![Action::Down, Action::Open]);
    views.push(vec![
        Action::OpenSearch,
        Action::SearchInput('a'),
        Action::SearchInput('l'),
    ]);
    views.push(vec![Action::OpenHelp]);
    views.push(vec![Action::CycleSort]);
    views
}

#[test]
fn mono_theme_uses_no_colour() {
    for (w, h) in [(80, 24), (120, 40), (60, 20), (30, 8)] {
        for actions in all_views() {
            let mut a = app_with(ThemeName::Mono, w, h);
            apply(&mut a, actions.clone());
            let terminal: Terminal<TestBackend> = render(&a);
            let buf = terminal.backend().buffer();
            for y in 0..h {
                for x in 0..w {
                    let c = &buf[(x, y)];
                    assert!(
                        c.fg == Color::Reset && c.bg == Color::Reset,
                        "{w}x{h} after {actions:?}: cell ({x},{y}) {:?} has fg {:?} bg {:?}",
                        c.symbol(),
                        c.fg,
                        c.bg
                    );
                }
            }
        }
    }
}

#[test]
fn mono_theme_still_marks_focus_and_selection() {
    let a = app_with(ThemeName::Mono, 80, 24);
    let terminal = render(&a);
    let buf = terminal.backend().buffer();
    // The focused list has a thick border; the unfocused detail a plain one.
    assert_eq!(buf[(0, 1)].symbol(), "┏");
    let detail_x = (0..80)
        .rev()
        .find(|&x| buf[(x, 1)].symbol() == "┐")
        .expect("detail corner");
    assert!(detail_x > 20);
    let (_, y) = find_in_list(buf, "ALPHA").unwrap();
    assert!(
        buf[(3, y)].modifier.contains(Modifier::REVERSED),
        "selection is reversed in mono"
    );
}
