//! Where things are on screen, as pure functions of the terminal size and the focus.
//!
//! Both `app` (hit-testing clicks, paging, scroll bounds) and `ui` (drawing) take geometry from
//! here, so a click always lands on what was drawn there. This module imports neither.

use crate::doc::Section;
use ratatui::layout::{Constraint, Layout, Rect};

/// Smallest terminal the app draws in; below it, a message asks for a larger window.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 10;
/// From this width, the list and the detail are side by side.
pub const SPLIT_WIDTH: u16 = 70;
/// From this width, search shows a preview of the selected hit beside the results.
pub const PREVIEW_WIDTH: u16 = 160;
/// From this width, help lays its keys out in two columns.
pub const HELP_COLUMNS_WIDTH: u16 = 110;
/// Lines one search result takes.
pub const SEARCH_ROW_LINES: u16 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    List,
    Detail,
}

/// The browse screen's areas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    pub body: Rect,
    pub footer: Rect,
    pub list: Option<Rect>,
    pub detail: Option<Rect>,
    pub too_small: bool,
    /// Only one panel shows (narrow screens).
    pub one_pane: bool,
}

pub fn screen(size: (u16, u16)) -> Rect {
    Rect::new(0, 0, size.0, size.1)
}

pub fn too_small(size: (u16, u16)) -> bool {
    size.0 < MIN_WIDTH || size.1 < MIN_HEIGHT
}

pub fn browse(size: (u16, u16), focus: Focus) -> Areas {
    let area = screen(size);
    let [header, body, footer] = area.layout(&Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ]));
    let too_small = too_small(size);
    let one_pane = size.0 < SPLIT_WIDTH;
    let (list, detail) = if too_small {
        (None, None)
    } else if !one_pane {
        let lw = (size.0 / 4).clamp(22, 34);
        let [l, d] = body.layout(&Layout::horizontal([
            Constraint::Length(lw),
            Constraint::Min(0),
        ]));
        (Some(l), Some(d))
    } else {
        match focus {
            Focus::List => (Some(body), None),
            Focus::Detail => (None, Some(body)),
        }
    };
    Areas {
        header,
        body,
        footer,
        list,
        detail,
        too_small,
        one_pane,
    }
}

/// Inside a bordered panel.
pub fn inner(panel: Rect) -> Rect {
    Rect::new(
        panel.x.saturating_add(1),
        panel.y.saturating_add(1),
        panel.width.saturating_sub(2),
        panel.height.saturating_sub(2),
    )
}

/// The detail panel's tab row.
pub fn tab_row(detail: Rect) -> Rect {
    let i = inner(detail);
    Rect::new(i.x, i.y, i.width, i.height.min(1))
}

/// The detail panel's body, below the tab row.
pub fn detail_body(detail: Rect) -> Rect {
    let i = inner(detail);
    Rect::new(i.x, i.y + 1, i.width, i.height.saturating_sub(1))
}

/// First visible row of a list of `height` rows with `sel` selected (selection kept in view).
pub fn list_first_visible(sel: usize, height: usize) -> usize {
    if height == 0 {
        0
    } else {
        sel.saturating_sub(height - 1)
    }
}

/// The list row at screen row `y`, if `y` is on a row of the list panel.
pub fn list_row_at(list: Rect, sel: usize, y: u16) -> Option<usize> {
    let i = inner(list);
    if y < i.y || y >= i.y + i.height {
        return None;
    }
    Some(list_first_visible(sel, i.height as usize) + (y - i.y) as usize)
}

/// One tab of the detail panel: its section, label and column offset in the tab row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tab {
    pub section: Section,
    pub label: &'static str,
    pub x: u16,
}

impl Tab {
    pub fn width(&self) -> u16 {
        self.label.chars().count() as u16 + 2
    }
}

/// Tab labels with their x offsets: full names whenever they fit, else medium, else short
/// ones; if even those do not fit, a window of tabs around `current` (with one column each
/// side kept for ‹ › marks; see [`tabs_cut`]).
pub fn tabs(width: u16, current: Section) -> Vec<Tab> {
    let sets: [fn(Section) -> &'static str; 3] = [Section::label, Section::medium, Section::short];
    let w = |l: &str| l.chars().count() as u16 + 2;
    let fits = |f: &fn(Section) -> &'static str| {
        Section::ALL.iter().map(|s| w(f(*s))).sum::<u16>() <= width
    };
    let pick = sets.iter().find(|f| fits(f)).unwrap_or(&sets[2]);
    let labels: Vec<(Section, &'static str)> =
        Section::ALL.iter().map(|s| (*s, pick(*s))).collect();
    let total: u16 = labels.iter().map(|(_, l)| w(l)).sum();
    let cur = current.index();
    let (first, room, x0) = if total <= width {
        (0, width, 0)
    } else {
        let room = width.saturating_sub(2);
        let mut first = 0;
        while first < cur && labels[first..=cur].iter().map(|(_, l)| w(l)).sum::<u16>() > room {
            first += 1;
        }
        (first, room, 1)
    };
    let mut x = x0;
    let mut out = Vec::new();
    for (s, l) in labels.into_iter().skip(first) {
        if x + w(l) > x0 + room && !out.is_empty() {
            break;
        }
        out.push(Tab {
            section: s,
            label: l,
            x,
        });
        x += w(l);
    }
    out
}

/// Whether tabs are hidden before / after the visible window.
pub fn tabs_cut(visible: &[Tab]) -> (bool, bool) {
    let first = visible.first().map(|t| t.section);
    let last = visible.last().map(|t| t.section);
    (
        first != Some(Section::ALL[0]),
        last != Some(Section::ALL[Section::ALL.len() - 1]),
    )
}

/// Which section tab is at screen cell (x, y) of the detail panel.
pub fn tab_at(detail: Rect, current: Section, x: u16, y: u16) -> Option<Section> {
    let row = tab_row(detail);
    if y != row.y {
        return None;
    }
    let rel = x.checked_sub(row.x)?;
    tabs(row.width, current)
        .into_iter()
        .find(|t| rel >= t.x && rel < t.x + t.width())
        .map(|t| t.section)
}

/// The rectangle overlays (search, help) take: between the header and the footer.
pub fn overlay(size: (u16, u16)) -> Rect {
    let full = screen(size);
    if full.height < 3 {
        return full;
    }
    Rect::new(full.x, full.y + 1, full.width, full.height - 2)
}

/// The search overlay: the query box, the results, and on wide screens a preview.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchAreas {
    pub frame: Rect,
    pub input: Rect,
    pub results: Rect,
    pub preview: Option<Rect>,
}

pub fn search(size: (u16, u16)) -> SearchAreas {
    let frame = overlay(size);
    let inside = inner(frame);
    let input = Rect::new(inside.x, inside.y, inside.width, inside.height.min(2));
    let below = Rect::new(
        inside.x,
        inside.y + input.height + 1,
        inside.width,
        inside.height.saturating_sub(input.height + 1),
    );
    let below = below.intersection(inside);
    if size.0 >= PREVIEW_WIDTH {
        let rw = below.width * 11 / 20;
        let results = Rect::new(below.x, below.y, rw, below.height);
        let preview = Rect::new(
            below.x + rw + 1,
            below.y,
            below.width - rw - 1,
            below.height,
        );
        SearchAreas {
            frame,
            input,
            results,
            preview: Some(preview),
        }
    } else {
        SearchAreas {
            frame,
            input,
            results: below,
            preview: None,
        }
    }
}

/// Rows of search results visible.
pub fn search_rows(size: (u16, u16)) -> usize {
    (search(size).results.height / SEARCH_ROW_LINES) as usize
}

/// Index of the first visible search result.
pub fn search_first_visible(sel: usize, size: (u16, u16)) -> usize {
    list_first_visible(sel, search_rows(size).max(1))
}

/// The result at screen cell (x, y), if any (not checked against the number of hits).
pub fn search_hit_at(size: (u16, u16), sel: usize, x: u16, y: u16) -> Option<usize> {
    let r = search(size).results;
    if y < r.y || y >= r.y + r.height || x < r.x || x >= r.x + r.width {
        return None;
    }
    let row = ((y - r.y) / SEARCH_ROW_LINES) as usize;
    (row < search_rows(size)).then(|| search_first_visible(sel, size) + row)
}

/// The help overlay's body (inside its border, below the title line).
pub fn help_body(size: (u16, u16)) -> Rect {
    let i = inner(overlay(size));
    Rect::new(i.x, i.y + 1, i.width, i.height.saturating_sub(1))
}

/// Whether help uses two columns at this size.
pub fn help_two_columns(size: (u16, u16)) -> bool {
    size.0 >= HELP_COLUMNS_WIDTH
}

/// The largest scroll of a body of `total` lines in `height` rows.
pub fn max_top(total: usize, height: usize) -> usize {
    total.saturating_sub(height)
}

/// Rows of the forest plot that fit in a body of `height` rows below `caption` lines, and
/// whether each takes two lines (label and value above the bar) at this width.
pub fn forest_fit(width: u16, height: u16, caption: u16) -> (usize, bool) {
    let stacked = width < 90;
    let per = if stacked { 2 } else { 1 };
    // A blank line under the caption, then the rows, the axis, its labels and the legend.
    let avail = height.saturating_sub(caption + 1 + 3);
    ((avail / per).max(1) as usize, stacked)
}

/// Rows a forest plot of `rows` estimates takes at `width`: the estimates (two lines each
/// when stacked, below 90 columns), the axis, its labels and the caption.
pub fn forest_height(rows: usize, width: u16) -> u16 {
    let per = if width < 90 { 2 } else { 1 };
    (rows as u16).saturating_mul(per).saturating_add(3)
}

/// The quiz screen's body: a centred column under the title line, above the footer.
pub fn quiz_body(size: (u16, u16)) -> Rect {
    let w = size.0.saturating_sub(4).min(100);
    Rect::new((size.0 - w) / 2, 2, w, size.1.saturating_sub(4))
}

pub fn contains(r: Rect, x: u16, y: u16) -> bool {
    x >= r.x && x < r.x.saturating_add(r.width) && y >= r.y && y < r.y.saturating_add(r.height)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabs_use_full_names_when_they_fit() {
        let t = tabs(200, Section::Overview);
        assert_eq!(t.len(), 9);
        assert!(t.iter().all(|t| t.label == t.section.label()));
    }

    #[test]
    fn short_tabs_tell_discussion_from_discrepancies() {
        for w in [40u16, 56, 70, 90] {
            let t = tabs(w, Section::Discussion);
            let disc: Vec<_> = t.iter().filter(|t| t.label.starts_with("Disc")).collect();
            if disc.len() == 2 {
                assert_ne!(disc[0].label, disc[1].label);
            }
            assert!(t.iter().any(|t| t.section == Section::Discussion), "{w}");
            let end = t.last().map(|t| t.x + t.width()).unwrap_or(0);
            assert!(end <= w, "{w}: {t:?}");
        }
    }

    #[test]
    fn a_click_on_a_tab_finds_it() {
        let detail = Rect::new(30, 1, 100, 30);
        for t in tabs(98, Section::Overview) {
            let x = detail.x + 1 + t.x + 1;
            assert_eq!(tab_at(detail, Section::Overview, x, 2), Some(t.section));
        }
        assert_eq!(tab_at(detail, Section::Overview, 40, 3), None);
    }
}
