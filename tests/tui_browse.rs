//! The browser as a reader first meets it: the first screen, the list and its sorting, the
//! entry's sections, findings and questions, the footer's hints, help's layout. The
//! command-line side is in `tests/cli.rs`. Apps are driven through `update(action, now)` with
//! the runtime's effect executor, and drawn into a `TestBackend`.

mod common;
use common::Tester;

use common::{
    app, app_on, app_with, apply, bundled_library, edited_mini, find, find_all, render, row_text,
    screen_text, step, type_query,
};
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use trialdeck::content::Role;
use trialdeck::tui::action::Action;
use trialdeck::tui::app::{App, Focus, Section};
use trialdeck::tui::layout;
use trialdeck::tui::theme::ThemeName;

/// Text of a styled line, with no-break spaces read as spaces.
fn line_text(l: &ratatui::text::Line) -> String {
    l.to_string().replace('\u{a0}', " ")
}

/// Every line of the current section as the detail panel draws it (not only the visible ones).
fn section_lines(a: &App) -> Vec<String> {
    let (s, _) = a
        .browse()
        .detail_lines(&a.lib, a.look(), a.size)
        .expect("a detail panel");
    s.lines.iter().map(line_text).collect()
}

fn screen(a: &App) -> String {
    screen_text(&render(a)).replace('\u{a0}', " ")
}

/// The bundled library's app, on EMILIA.
fn emilia(w: u16, h: u16) -> Tester {
    let a = app_on(bundled_library(), ThemeName::Dark, w, h);
    assert_eq!(
        a.lib.entries[a.current().expect("an entry")].id,
        "emilia",
        "the bundled pack opens on its landmark, EMILIA"
    );
    a
}

/// Select the finding `id` in Findings (j until it is selected).
fn select_finding(a: &mut Tester, id: &str) {
    step(a, Action::GotoSection(2));
    let e = &a.lib.entries[a.current().unwrap()];
    let d = trialdeck::doc::build(&a.lib, e);
    let i = d
        .finding_rows()
        .iter()
        .position(|f| f.id == id)
        .unwrap_or_else(|| panic!("finding {id}"));
    for _ in 0..i {
        step(a, Action::Down);
    }
    assert_eq!(a.browse().item, i);
}

// --- Findings selection -------------------------------------------------------------------

#[test]
fn findings_j_selects_each_finding_and_shows_its_reading_under_it() {
    let mut a = emilia(120, 40);
    step(&mut a, Action::GotoSection(2));
    let e = &a.lib.entries[a.current().unwrap()];
    let rows: Vec<(String, String)> = trialdeck::doc::build(&a.lib, e)
        .finding_rows()
        .iter()
        .map(|f| (f.id.clone(), f.reading.clone()))
        .collect();
    assert!(rows.len() > 5, "EMILIA has many findings");
    for (i, (id, reading)) in rows.iter().enumerate() {
        assert_eq!(a.browse().item, i, "{id}");
        let (s, body) = a.browse().detail_lines(&a.lib, a.look(), a.size).unwrap();
        let r = s.items[i].clone();
        // The reading is part of the selected item's lines, and on screen.
        let head: String = reading.chars().take(30).collect();
        let at = r
            .clone()
            .find(|&l| line_text(&s.lines[l]).contains(head.trim()))
            .unwrap_or_else(|| panic!("{id}: reading {head:?} under its row"));
        // Right under the row: the first line after the table cells (which are indented by
        // one or three columns) is the reading (indented by two).
        let under = r
            .clone()
            .skip(1)
            .find(|&l| {
                let t = line_text(&s.lines[l]);
                t.starts_with("  ") && !t.starts_with("   ")
            })
            .unwrap_or(usize::MAX);
        assert_eq!(
            at,
            under,
            "{id}: the reading follows the row:\n{}",
            r.clone()
                .map(|l| line_text(&s.lines[l]))
                .collect::<Vec<_>>()
                .join("\n")
        );
        let top = a.browse().scroll;
        assert!(
            at >= top && at < top + body.height as usize,
            "{id}: the reading is scrolled into view"
        );
        // No other finding's reading is shown.
        for (j, (_, other)) in rows.iter().enumerate() {
            let o: String = other.chars().take(30).collect();
            if j != i && o != head {
                assert!(
                    !s.lines.iter().any(|l| line_text(l).contains(o.trim())),
                    "{id}: reading of finding {j} hidden"
                );
            }
        }
        step(&mut a, Action::Down);
    }
}

// --- Headline up front ----------------------------------------------------------------------

#[test]
fn overview_opens_with_key_results_before_the_bottom_line() {
    let a = app(120, 40);
    let buf_t = render(&a);
    let buf = buf_t.backend().buffer();
    let (_, key) = find(buf, "Key results");
    let (_, bottom) = find(buf, "Bottom line");
    assert!(key < bottom, "Key results first");
    let between: String = (key..bottom)
        .map(|y| row_text(buf, y))
        .collect::<Vec<_>>()
        .join(" ")
        .replace('\u{a0}', " ");
    for want in [
        "Progression-free survival",
        // As the pack writes them: 9.0 and 6.0, not 9 and 6.
        "Drug A 9.0 mo",
        "Drug B 6.0 mo",
        "HR 0.70",
    ] {
        assert!(between.contains(want), "{want:?} in {between:?}");
    }
    assert!(
        !between.contains("Objective response"),
        "only headline findings"
    );

    // EMILIA: PFS and OS with per-arm values, effect and CI.
    let a = emilia(160, 50);
    let lines = section_lines(&a);
    let key = lines
        .iter()
        .position(|l| l == "Key results")
        .expect("Key results");
    let bottom = lines
        .iter()
        .position(|l| l == "Bottom line")
        .expect("Bottom line");
    assert!(key < bottom);
    let heads = lines[key..bottom].join(" ");
    for want in [
        "9.6 mo",
        "6.4 mo",
        "HR 0.65 (95% CI 0.55–0.77)",
        "30.9 mo",
        "25.1 mo",
        "HR 0.68 (95% CI 0.55–0.85)",
    ] {
        assert!(heads.contains(want), "{want:?} in {heads:?}");
    }
}

#[test]
fn the_app_opens_on_the_landmark_entry() {
    let (_dir, lib) = edited_mini("pack.ron", |t| {
        t.replace("landmark: \"alpha\"", "landmark: \"ab-mechanism\"")
    });
    let a = app_on(lib, ThemeName::Dark, 80, 24);
    let b = a.browse();
    assert_eq!(b.order, vec![0, 1], "the topic is not the first row");
    assert_eq!(b.list_sel, 1);
    assert_eq!(a.lib.entries[a.current().unwrap()].id, "ab-mechanism");
    let text = screen(&a);
    assert!(text.contains("▶ Drug A mech"), "{text}");
    assert!(text.contains("Drug A mechanism — How invented"), "{text}");
    // Without a landmark: the first row.
    let (_dir, lib) = edited_mini("pack.ron", |t| t.replace("landmark: \"alpha\",", ""));
    let a = app_on(lib, ThemeName::Dark, 80, 24);
    assert_eq!(a.browse().list_sel, 0);
    // The bundled pack: EMILIA (checked by `emilia`).
    let _ = emilia(80, 24);
}

// --- Readable sources -----------------------------------------------------------------------

#[test]
fn citations_show_source_labels_never_file_names() {
    let mut seen = String::new();
    for s in Section::ALL {
        let mut a = app(120, 40);
        apply(
            &mut a,
            [Action::Open, Action::GotoSection(s.index() as u8 + 1)],
        );
        let n = a.browse().item_count(&a.lib).max(1);
        for _ in 0..n {
            if s == Section::Discussion {
                step(&mut a, Action::Reveal);
            }
            seen.push_str(&section_lines(&a).join("\n"));
            seen.push_str(&screen(&a));
            step(&mut a, Action::Down);
        }
    }
    for file in ["paper_a.txt", "paper_b.txt", "paper-a", "paper-b", ".txt"] {
        assert!(!seen.contains(file), "{file} shown");
    }
    for label in [
        "Source: ALPHA report, Results, item 1",
        "[Drug A review, Table 1]",
        "ALPHA report, Methods",
    ] {
        assert!(seen.contains(label), "{label} shown");
    }
}

// --- Forest plot ----------------------------------------------------------------------------

/// Columns of the axis ticks (`┴`) on the axis row of the forest plot.
fn tick_columns(buf: &Buffer) -> Vec<u16> {
    let y = (0..buf.area.height)
        .find(|&y| row_text(buf, y).contains('┴'))
        .expect("an axis row");
    (0..buf.area.width)
        .filter(|&x| buf[(x, y)].symbol() == "┴")
        .collect()
}

#[test]
fn forest_axis_names_the_arms_and_ticks_are_evenly_spaced() {
    for (w, h) in [(80, 24), (120, 40), (60, 20)] {
        let mut a = app(w, h);
        apply(&mut a, [Action::Open, Action::GotoSection(3)]);
        let t = render(&a);
        let text = screen_text(&t);
        assert!(text.contains("◀ favours A"), "{w}x{h}:\n{text}");
        assert!(text.contains("favours B ▶"), "{w}x{h}:\n{text}");
        assert!(!text.contains("HR < 1"), "{w}x{h}:\n{text}");
        let ticks = tick_columns(t.backend().buffer());
        assert!(ticks.len() >= 3, "{w}x{h}: {ticks:?}");
        let gaps: Vec<i32> = ticks.windows(2).map(|p| (p[1] - p[0]) as i32).collect();
        let (lo, hi) = (gaps.iter().min().unwrap(), gaps.iter().max().unwrap());
        assert!(hi - lo <= 1, "{w}x{h}: evenly spaced ticks {ticks:?}");
    }
    // EMILIA names its arms.
    let mut a = emilia(120, 40);
    step(&mut a, Action::GotoSection(3));
    let text = screen(&a);
    assert!(text.contains("favours T-DM1"), "{text}");
    assert!(text.contains("favours lapatinib"), "{text}");
}

// --- Findings table -------------------------------------------------------------------------

#[test]
fn per_arm_cells_hold_values_and_caveats_are_footnotes_under_the_selected_finding() {
    let mut a = emilia(120, 40);
    step(&mut a, Action::GotoSection(2));
    let note = "rounded to 44% in the review";
    let text = section_lines(&a).join("\n");
    assert!(text.contains("T-DM1: 43.6%¹"), "a footnote mark:\n{text}");
    assert!(!text.contains(note), "the caveat waits for the selection");
    select_finding(&mut a, "orr");
    let lines = section_lines(&a);
    let row = lines
        .iter()
        .position(|l| l.contains("43.6%¹"))
        .expect("the ORR row");
    let foot = lines
        .iter()
        .position(|l| l.contains(&format!("¹ T-DM1: {note}")))
        .expect("the footnote under the selected finding");
    assert!(foot > row && foot < row + 8, "{row} → {foot}");
    // No per-arm cell holds a note: every arm value is a number with its unit (and marks).
    let e = &a.lib.entries[a.current().unwrap()];
    for f in trialdeck::doc::build(&a.lib, e).finding_rows() {
        for (arm, v) in &f.arms {
            assert!(
                v.chars().next().is_some_and(|c| c.is_ascii_digit()) && v.len() < 40,
                "{}: {arm}: {v:?} is a value",
                f.id
            );
        }
    }
}

#[test]
fn exploratory_subgroups_have_their_own_heading() {
    let a = {
        let mut a = emilia(120, 40);
        step(&mut a, Action::GotoSection(2));
        a
    };
    let lines = section_lines(&a);
    let heading = lines
        .iter()
        .position(|l| l.contains("─ Exploratory subgroups"))
        .expect("a subgroup heading");
    let e = &a.lib.entries[a.current().unwrap()];
    let d = trialdeck::doc::build(&a.lib, e);
    for f in d.finding_rows() {
        let at = lines
            .iter()
            .position(|l| l.contains(f.endpoint.split_whitespace().next().unwrap_or("")))
            .is_some();
        assert!(at, "{} drawn", f.id);
        let is_sub = f.analysis.starts_with("subgroup");
        let group = d
            .part(Section::Findings)
            .iter()
            .find_map(|b| match b {
                trialdeck::doc::Block::Findings(gs) => gs
                    .iter()
                    .find(|g| g.rows.iter().any(|r| r.id == f.id))
                    .map(|g| g.title),
                _ => None,
            })
            .expect("in a group");
        if is_sub && !f.headline {
            assert_eq!(group, "Exploratory subgroups", "{}", f.id);
        } else {
            assert_ne!(group, "Exploratory subgroups", "{}", f.id);
        }
    }
    // Headline results come first, subgroups last.
    let first = lines.iter().position(|l| l.contains("─ Headline results"));
    assert!(first.is_some_and(|h| h < heading));
}

#[test]
fn values_never_split_from_their_unit_across_lines() {
    let lib = bundled_library();
    for (w, h) in [(60, 30), (80, 24), (100, 30), (120, 40), (200, 50)] {
        let mut a = app_on(lib.clone(), ThemeName::Dark, w, h);
        for id in ["emilia", "th3resa", "marianne"] {
            let i = a.lib.index_of(id).expect(id);
            let row = a.browse().order.iter().position(|&x| x == i).unwrap();
            a.browse_mut().list_sel = row;
            step(&mut a, Action::GotoSection(2));
            let e = &a.lib.entries[i];
            let d = trialdeck::doc::build(&a.lib, e);
            let n = d.finding_rows().len();
            for _ in 0..n {
                let lines = section_lines(&a);
                for f in d.finding_rows() {
                    for (_, v) in f
                        .arms
                        .iter()
                        .filter(|(_, v)| v.starts_with(|c: char| c.is_ascii_digit()))
                    {
                        // The number and the first word of its unit: "9.6 mo", "43.6%".
                        let want: String = v
                            .replace('\u{a0}', " ")
                            .split(' ')
                            .take(2)
                            .collect::<Vec<_>>()
                            .join(" ");
                        let want = want.trim_end_matches(['(', ' ']).to_string();
                        assert!(
                            lines.iter().any(|l| l.contains(&want)),
                            "{w}x{h} {id}/{}: {want:?} on one line",
                            f.id
                        );
                    }
                }
                step(&mut a, Action::Down);
            }
            step(&mut a, Action::SwitchPanel);
        }
    }
}

#[test]
fn a_difference_stays_on_one_line_with_its_unit() {
    for (w, h) in [(60, 20), (80, 24), (120, 40)] {
        let mut a = app(w, h);
        apply(&mut a, [Action::Open, Action::GotoSection(2)]);
        let lines = section_lines(&a);
        assert!(
            lines.iter().any(|l| l.contains("10 percentage points")),
            "{w}x{h}:\n{}",
            lines.join("\n")
        );
    }
}

// --- Search ---------------------------------------------------------------------------------

#[test]
fn a_preview_pane_appears_at_160_columns_and_not_below() {
    for (w, shown) in [(159u16, false), (160, true), (200, true)] {
        let mut a = app(w, 40);
        step(&mut a, Action::OpenSearch);
        type_query(&mut a, "objective response");
        let hits = &a.search().unwrap().hits;
        assert!(!hits.is_empty());
        assert_eq!(layout::search(a.size).preview.is_some(), shown, "{w}");
        let text = screen(&a);
        // The preview shows the hit in its entry's section, with the selected finding's reading.
        let preview = text.contains("ALPHA · Findings") && text.contains("More patients responded");
        assert_eq!(preview, shown, "{w}:\n{text}");
    }
}

// --- Roles and reveal -----------------------------------------------------------------------

#[test]
fn the_active_role_filter_shows_in_the_detail_title() {
    let mut a = app(120, 40);
    let title_row = |a: &App| {
        let t = render(a);
        let detail = layout::browse(a.size, a.browse().focus).detail.unwrap();
        row_text(t.backend().buffer(), detail.y)
    };
    assert!(!title_row(&a).contains("role:"));
    step(&mut a, Action::NextRole);
    assert!(
        title_row(&a).contains("role: Medical Student"),
        "{}",
        title_row(&a)
    );
    step(&mut a, Action::NextRole);
    assert!(title_row(&a).contains("role: Resident"));
    // Still shown on another section.
    step(&mut a, Action::GotoSection(1));
    assert!(title_row(&a).contains("role: Resident"));
    step(&mut a, Action::SetRole(None));
    assert!(!title_row(&a).contains("role:"));
}

// --- Footer ---------------------------------------------------------------------------------

fn hint_words(a: &App) -> Vec<&'static str> {
    a.hints().into_iter().map(|(_, w)| w).collect()
}

#[test]
fn the_footer_shows_only_keys_that_act() {
    let mut a = app(200, 40);
    step(&mut a, Action::Open);
    for s in Section::ALL {
        step(&mut a, Action::GotoSection(s.index() as u8 + 1));
        let words = hint_words(&a);
        let text = screen(&a);
        let footer = text.lines().last().unwrap().to_string();
        assert_eq!(
            words.contains(&"reveal"),
            s == Section::Discussion,
            "{s:?}: {words:?}"
        );
        assert_eq!(
            footer.contains("reveal"),
            s == Section::Discussion,
            "{s:?}: {footer}"
        );
        assert_eq!(words.contains(&"follow"), s == Section::Related, "{s:?}");
        assert_eq!(
            words.contains(&"select"),
            s.has_items(),
            "{s:?}: j/k select only where there are items"
        );
        assert!(!words.contains(&"hide all"), "{s:?}: nothing revealed");
    }
    step(&mut a, Action::Reveal);
    assert!(hint_words(&a).contains(&"hide all"));
    // The list: open, no reveal.
    step(&mut a, Action::SwitchPanel);
    let words = hint_words(&a);
    assert!(
        words.contains(&"open") && !words.contains(&"reveal"),
        "{words:?}"
    );
}

#[test]
fn back_is_in_the_footer_of_the_one_pane_detail() {
    let mut a = app(60, 24);
    step(&mut a, Action::Open);
    assert!(layout::browse(a.size, Focus::Detail).one_pane);
    let text = screen(&a);
    let footer = text.lines().last().unwrap();
    assert!(footer.contains("Bksp/Esc  back"), "{footer}");
    assert!(!footer.contains("reveal"), "{footer}");
    // And Back does go back to the list.
    step(&mut a, Action::Back);
    assert_eq!(a.browse().focus, Focus::List);
}

#[test]
fn the_footer_offers_no_reveal_when_no_question_is_shown() {
    let mut a = app(200, 40);
    apply(&mut a, [Action::Open, Action::SetRole(Some(Role::Fellow))]);
    assert_eq!(a.browse().item_count(&a.lib), 0);
    let words = hint_words(&a);
    assert!(!words.contains(&"reveal"), "{words:?}");
    assert!(!words.contains(&"select"), "{words:?}");
}

// --- Tabs -----------------------------------------------------------------------------------

#[test]
fn tabs_use_full_names_when_they_fit_and_distinct_short_ones_otherwise() {
    let mut a = app(200, 40);
    step(&mut a, Action::Open);
    let detail = layout::browse(a.size, Focus::Detail).detail.unwrap();
    let t = render(&a);
    let row = row_text(t.backend().buffer(), layout::tab_row(detail).y);
    for s in Section::ALL {
        assert!(
            row.contains(&format!(" {}│", s.label())),
            "{:?} in {row}",
            s.label()
        );
    }
    // Narrower: short labels, never one label for two sections, and both "Disc…" tabs shown
    // differently on screen.
    for w in [40u16, 60, 80, 100, 120, 140] {
        for cur in Section::ALL {
            let tabs = layout::tabs(w, cur);
            let mut labels: Vec<&str> = tabs.iter().map(|t| t.label).collect();
            labels.sort();
            labels.dedup();
            assert_eq!(labels.len(), tabs.len(), "{w} {cur:?}: {tabs:?}");
        }
    }
    let mut a = app(80, 24);
    step(&mut a, Action::Open);
    let detail = layout::browse(a.size, Focus::Detail).detail.unwrap();
    let t = render(&a);
    let row = row_text(t.backend().buffer(), layout::tab_row(detail).y);
    let disc: Vec<&str> = row
        .split('│')
        .map(str::trim)
        .filter(|l| l.starts_with("Disc"))
        .collect();
    assert_eq!(disc.len(), 2, "{row}");
    assert_ne!(disc[0], disc[1], "{row}");
}

// --- Help -----------------------------------------------------------------------------------

#[test]
fn help_uses_two_columns_when_wide_and_says_how_to_scroll() {
    use trialdeck::tui::lines::help::help_lines;
    let a = app(80, 24);
    assert_eq!(help_lines(&a.keymap, (109, 40)).len(), 1);
    assert_eq!(help_lines(&a.keymap, (110, 40)).len(), 2);
    let mut a = app(120, 40);
    step(&mut a, Action::OpenHelp);
    let t = render(&a);
    let buf = t.backend().buffer();
    let body = layout::help_body(a.size);
    let (_, y) = find_all(buf, "Everywhere")
        .into_iter()
        .find(|&(x, _)| x == body.x)
        .expect("the Everywhere heading");
    // A second heading on the same row, in the right half.
    let cols = help_lines(&a.keymap, a.size);
    let right_head = cols[1][0].1.trim_start_matches("# ").to_string();
    let at = find_all(buf, &right_head)
        .into_iter()
        .find(|&(_, yy)| yy == y)
        .unwrap_or_else(|| panic!("{right_head} beside Everywhere:\n{}", screen_text(&t)));
    assert!(at.0 > 50);
    let title = row_text(buf, layout::overlay(a.size).y);
    assert!(title.contains("j/k") && title.contains("scroll"), "{title}");
    // At 80 columns: one column, and it scrolls.
    let mut a = app(80, 24);
    step(&mut a, Action::OpenHelp);
    let before = screen(&a);
    step(&mut a, Action::PageDown);
    assert!(a.help().unwrap().scroll > 0);
    assert_ne!(screen(&a), before);
}

// --- High contrast and mono -----------------------------------------------------------------

fn bright(c: Color) -> bool {
    matches!(
        c,
        Color::LightYellow
            | Color::LightCyan
            | Color::White
            | Color::LightGreen
            | Color::LightRed
            | Color::LightBlue
            | Color::LightMagenta
            | Color::Indexed(9..=15)
    )
}

#[test]
fn high_contrast_selection_is_black_on_a_bright_background() {
    let mut a = app_with(ThemeName::HighContrast, 80, 24);
    let t = render(&a);
    let buf = t.backend().buffer();
    let (x, y) = find(buf, "▶ ALPHA");
    let list = layout::inner(layout::browse(a.size, Focus::List).list.unwrap());
    for cx in x..list.x + list.width {
        let c = &buf[(cx, y)];
        assert!(bright(c.bg), "({cx},{y}) {:?} bg {:?}", c.symbol(), c.bg);
        assert_eq!(c.fg, Color::Black, "({cx},{y}) {:?}", c.symbol());
    }
    // The selected finding row in the detail panel too.
    apply(&mut a, [Action::Open, Action::GotoSection(2)]);
    let t = render(&a);
    let buf = t.backend().buffer();
    let (x, y) = find(buf, "▶Progression");
    for cx in x..x + 20 {
        let c = &buf[(cx, y)];
        assert!(bright(c.bg), "({cx},{y}) {:?} bg {:?}", c.symbol(), c.bg);
        assert_eq!(c.fg, Color::Black, "({cx},{y}) {:?}", c.symbol());
    }
}

#[test]
fn no_cell_is_dim_in_high_contrast_or_mono() {
    let views: Vec<Vec<Action>> = {
        let mut v: Vec<Vec<Action>> = vec![vec![], vec![Action::OpenHelp]];
        for s in 1..=9u8 {
            v.push(vec![Action::Open, Action::GotoSection(s)]);
        }
        v.push(vec![Action::Open, Action::GotoSection(9), Action::Reveal]);
        v.push(vec![Action::Open, Action::SetRole(Some(Role::Fellow))]);
        v.push(vec![
            Action::OpenSearch,
            Action::SearchInput('a'),
            Action::SearchInput('l'),
        ]);
        v.push(vec![Action::OpenSearch]);
        v
    };
    for theme in [ThemeName::HighContrast, ThemeName::Mono] {
        for (w, h) in [(80, 24), (160, 40), (60, 20)] {
            for actions in &views {
                let mut a = app_with(theme, w, h);
                apply(&mut a, actions.clone());
                let t = render(&a);
                let buf = t.backend().buffer();
                for y in 0..h {
                    for x in 0..w {
                        let c = &buf[(x, y)];
                        assert!(
                            !c.modifier.contains(Modifier::DIM),
                            "{theme:?} {w}x{h} {actions:?}: ({x},{y}) {:?} is dim",
                            c.symbol()
                        );
                    }
                }
            }
        }
    }
}

// --- Wording --------------------------------------------------------------------------------

#[test]
fn counts_agree_with_their_number() {
    let text = screen(&app(120, 40));
    assert!(
        text.contains("⚠ 1 discrepancy note between sources"),
        "{text}"
    );
    assert!(!text.contains("note(s)"));

    let a = emilia(160, 50);
    let n = a.lib.entries[a.current().unwrap()].discrepancies.len();
    assert!(n > 1);
    let lines = section_lines(&a).join("\n");
    assert!(
        lines.contains(&format!("⚠ {n} discrepancy notes between sources")),
        "{lines}"
    );

    let (_dir, lib) = edited_mini("alpha.ron", |t| {
        t.replace("sample_size: 400", "sample_size: 1")
    });
    let a = app_on(lib, ThemeName::Dark, 120, 40);
    let lines = section_lines(&a).join("\n");
    assert!(
        lines.contains("1 patient\n") || lines.contains("1 patient "),
        "{lines}"
    );
    assert!(!lines.contains("1 patients"), "{lines}");
    let a = app(120, 40);
    assert!(section_lines(&a).join("\n").contains("400 patients"));
}

#[test]
fn a_difference_between_percentages_is_in_percentage_points() {
    let mut a = app(160, 40);
    apply(&mut a, [Action::Open, Action::GotoSection(2)]);
    let text = section_lines(&a).join(" ");
    assert!(text.contains("Diff 10 percentage"), "{text}");
    assert!(text.contains("points (1–19)"), "{text}");
    let e = &a.lib.entries[a.current().unwrap()];
    let orr = e.findings.iter().find(|f| f.id == "orr").unwrap();
    // The number stays with its unit (no-break spaces) on screen.
    assert_eq!(
        trialdeck::format::finding_effect(orr),
        "Diff 10\u{a0}percentage\u{a0}points (95% CI 1–19), p = 0.03"
    );
}

#[test]
fn a_link_to_a_topic_does_not_call_it_reported() {
    let mut a = app(120, 40);
    apply(&mut a, [Action::Open, Action::GotoSection(6)]);
    let text = section_lines(&a).join("\n");
    assert!(text.contains("Drug A mechanism"), "{text}");
    assert!(!text.contains("Drug A mechanism (reported)"), "{text}");
}

/// Every entry's later-evidence line (what has happened since its sources) is on its page,
/// on its rounds title card and in its Markdown export (issue 18; CONTENT.md rule 11).
#[test]
fn every_entry_shows_its_later_evidence_on_its_page_in_rounds_and_in_the_export() {
    let lib = bundled_library();
    for (i, e) in lib.entries.iter().enumerate() {
        let later = e
            .later_evidence
            .as_ref()
            .unwrap_or_else(|| panic!("{} has no later-evidence line", e.id));
        let opening: String = later
            .split_whitespace()
            .take(6)
            .collect::<Vec<_>>()
            .join(" ");
        // The page: the Overview, under the bottom line.
        let page = trialdeck::doc::plain::render(&lib, e, false);
        assert!(page.contains("Later evidence"), "{}", e.id);
        assert!(page.contains(later.as_str()), "{}", e.id);
        // The export.
        let md = trialdeck::export::markdown::render(
            &lib,
            &trialdeck::export::Selection::new(&lib, &[e.id.as_str()], &[]),
        );
        assert!(md.contains("## Later evidence"), "{}", e.id);
        assert!(squashed(&md).contains(&opening), "{}: {md}", e.id);
        // Rounds: the title card says what has happened since.
        if e.questions.is_empty() {
            continue;
        }
        let mut app = App::new(lib.clone(), ThemeName::HighContrast);
        app.start_rounds(i, trialdeck::tui::app::RoundsOptions::default(), false);
        let l = common::Looped::new(app, 200, 50, common::NOW);
        let screen = squashed(&l.screen().replace(['┃', '│'], " "));
        assert!(screen.contains("Since then"), "{}:\n{}", e.id, l.screen());
        assert!(screen.contains(&opening), "{}:\n{}", e.id, l.screen());
    }
}

fn squashed(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
