//! Views: they borrow `&App` and draw. No state changes here.

pub mod detail;
pub mod doc;
pub mod forest;
pub mod help;
pub mod list;
pub mod search;

use crate::app::{App, Focus, Section};
use crate::keymap;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

/// Smallest terminal the app draws in; below it, a message asks for a larger window.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 10;
/// From this width, the list and the detail are side by side.
pub const SPLIT_WIDTH: u16 = 70;

/// Where things go on screen. A pure function of the terminal size and focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    pub body: Rect,
    pub footer: Rect,
    pub list: Option<Rect>,
    pub detail: Option<Rect>,
    pub too_small: bool,
}

fn layout_for(size: (u16, u16), focus: Focus) -> Areas {
    let area = Rect::new(0, 0, size.0, size.1);
    let [header, body, footer] = area.layout(&Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ]));
    let too_small = size.0 < MIN_WIDTH || size.1 < MIN_HEIGHT;
    let (list, detail) = if too_small {
        (None, None)
    } else if size.0 >= SPLIT_WIDTH {
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
    }
}

/// The layout for the app as it is now (narrow screens show only the focused panel).
pub fn app_layout(app: &App) -> Areas {
    layout_for(app.size, app.focus)
}

/// Draw the whole app.
pub fn render(app: &App, frame: &mut Frame) {
    let full = frame.area();
    let areas = layout_for((full.width, full.height), app.focus);
    let t = &app.theme;
    frame.render_widget(Block::new().style(t.base), full);
    if areas.too_small {
        let msg = format!(
            "Make the window larger: trialdeck needs at least {MIN_WIDTH}×{MIN_HEIGHT} (now {}×{}).",
            full.width, full.height
        );
        frame.render_widget(
            Paragraph::new(msg).style(t.warn).wrap(Wrap { trim: true }),
            full,
        );
        return;
    }
    header(app, frame, areas.header);
    if let Some(l) = areas.list {
        list::render(app, frame, l);
    }
    if let Some(d) = areas.detail {
        detail::render(app, frame, d);
    }
    footer(app, frame, areas.footer);
    if app.search.is_some() {
        let r = overlay_area(full);
        frame.render_widget(Clear, r);
        search::render(app, frame, r);
    }
    if app.help.is_some() {
        let r = overlay_area(full);
        frame.render_widget(Clear, r);
        help::render(app, frame, r);
    }
}

/// The rectangle overlays (search, help) take.
pub fn overlay_area(full: Rect) -> Rect {
    // Between the header and the footer, full width: nothing half-hidden shows around it,
    // and the footer keeps showing the overlay's keys.
    if full.height < 3 {
        return full;
    }
    Rect::new(full.x, full.y + 1, full.width, full.height - 2)
}

fn header(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let pack = app
        .lib
        .packs
        .first()
        .map(|p| p.manifest.title.as_str())
        .unwrap_or("trialdeck");
    let counts = format!(
        " {} entries · {} questions ",
        app.lib.entries.len(),
        app.lib.question_count()
    );
    let cw = counts.chars().count() as u16;
    let show_counts = area.width > cw + 20;
    let reserved = 12 + if show_counts { cw as usize } else { 0 };
    let title_w = (area.width as usize).saturating_sub(reserved);
    let line = Line::from(vec![
        Span::styled(" trialdeck ", t.key),
        Span::styled(format!(" {}", doc::truncate(pack, title_w)), t.title),
    ]);
    frame.render_widget(Paragraph::new(line), area);
    if show_counts {
        let r = Rect::new(area.x + area.width - cw, area.y, cw, 1);
        frame.render_widget(Paragraph::new(Span::styled(counts, t.muted)), r);
    }
}

fn footer(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let mut spans: Vec<Span> = Vec::new();
    if let Some(m) = &app.message {
        spans.push(Span::styled(format!(" {m} "), t.warn));
    }
    let piece = |keys: &str, desc: &str| {
        [
            Span::styled(format!(" {keys} "), t.key),
            Span::styled(format!(" {desc}  "), t.muted),
        ]
    };
    // "? help" always has a place: it lists every other key.
    let ctx = app.context();
    let help: Vec<Span> = if matches!(ctx, keymap::Context::Search | keymap::Context::Help) {
        Vec::new()
    } else {
        piece("?", "help").to_vec()
    };
    let help_w: usize = help.iter().map(|s| s.width()).sum();
    let mut used: usize = spans.iter().map(|s| s.width()).sum::<usize>() + help_w;
    for (keys, desc) in keymap::hints(ctx).into_iter().filter(|(k, _)| *k != "?") {
        let p = piece(keys, desc);
        let w: usize = p.iter().map(|s| s.width()).sum();
        if used + w > area.width as usize {
            break;
        }
        used += w;
        spans.extend(p);
    }
    spans.extend(help);
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// A bordered block whose border shows focus by style and by a heavier line.
pub fn panel<'a>(title: Line<'a>, focused: bool, app: &App) -> Block<'a> {
    let t = &app.theme;
    let b = Block::bordered().title(title);
    if focused {
        b.border_type(ratatui::widgets::BorderType::Thick)
            .border_style(t.border_focus)
    } else {
        b.border_style(t.border)
    }
}

/// Draw lines with a scroll offset. "↑ more"/"↓ more" go on the rows just outside `area`
/// (a border or the tab row), so they never hide content.
pub fn scrolled(
    frame: &mut Frame,
    area: Rect,
    lines: Vec<Line<'static>>,
    top: usize,
    style: Style,
    marker: Style,
) {
    let h = area.height as usize;
    let total = lines.len();
    let top = top.min(total.saturating_sub(h));
    let visible: Vec<Line> = lines.into_iter().skip(top).take(h).collect();
    frame.render_widget(Paragraph::new(visible).style(style), area);
    let screen = frame.area();
    // A mark goes at the right end of the row, over blank cells only; where the row is
    // full (a narrow tab row), a single arrow in its last blank cell, or none.
    let mut mark = |y: u16, text: &'static str, arrow: &'static str| {
        let row = Rect::new(area.x, y, area.width, 1).intersection(screen);
        if row.is_empty() {
            return;
        }
        let buf = frame.buffer_mut();
        let mut free = 0u16;
        for x in (row.x..row.x + row.width).rev() {
            let sym = buf[(x, y)].symbol();
            if sym == " " || sym == "─" || sym == "━" {
                free += 1;
            } else {
                break;
            }
        }
        let w = text.chars().count() as u16;
        let end = row.x + row.width;
        if free > w {
            buf.set_string(end - w - 1, y, text, marker);
        } else if free >= 1 {
            buf.set_string(end - 1, y, arrow, marker);
        }
    };
    if top > 0 && area.y > 0 {
        mark(area.y - 1, " ↑ more ", "↑");
    }
    if top + h < total && h > 0 {
        mark(area.y + area.height, " ↓ more ", "↓");
    }
}

/// The scroll offset to use: `anchor + extra`, kept within the content.
pub fn max_top(total: usize, height: usize) -> usize {
    total.saturating_sub(height)
}

/// First visible row of a list of `height` rows with `sel` selected (selection kept in view).
pub fn list_first_visible(sel: usize, height: usize) -> usize {
    if height == 0 {
        0
    } else {
        sel.saturating_sub(height - 1)
    }
}

/// Tab labels of the detail panel with their x offsets, for drawing and for clicks.
/// Short labels are used when the full ones do not fit; if even those do not fit, a window
/// of tabs around `current` is shown, and [`tabs_cut`] tells the view to draw ‹ and › marks.
pub fn tabs(width: u16, current: Section) -> Vec<(Section, String, u16)> {
    let full: u16 = Section::ALL
        .iter()
        .map(|s| s.label().len() as u16 + 2)
        .sum();
    let short = full > width;
    let labels: Vec<(Section, String)> = Section::ALL
        .iter()
        .map(|s| (*s, if short { s.short() } else { s.label() }.to_string()))
        .collect();
    let w = |l: &String| l.chars().count() as u16 + 2;
    let total: u16 = labels.iter().map(|(_, l)| w(l)).sum();
    let cur = labels.iter().position(|(s, _)| *s == current).unwrap_or(0);
    let (first, room, x0) = if total <= width {
        (0, width, 0)
    } else {
        // Keep one column each side for the ‹ › marks.
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
        if x + w(&l) > x0 + room && !out.is_empty() {
            break;
        }
        let here = x;
        x += w(&l);
        out.push((s, l, here));
    }
    out
}

/// Whether tabs are hidden before / after the visible window.
pub fn tabs_cut(visible: &[(Section, String, u16)]) -> (bool, bool) {
    let first = visible.first().map(|t| t.0);
    let last = visible.last().map(|t| t.0);
    (
        first != Some(Section::ALL[0]),
        last != Some(Section::ALL[Section::ALL.len() - 1]),
    )
}

/// Which section tab is at column `x` of the detail panel's tab row.
pub fn section_at(app: &App, detail: Rect, x: u16) -> Option<Section> {
    let inner_x = detail.x + 1;
    let rel = x.checked_sub(inner_x)?;
    tabs(detail.width.saturating_sub(2), app.section)
        .into_iter()
        .find(|(_, l, at)| rel >= *at && rel < at + l.chars().count() as u16 + 1)
        .map(|(s, _, _)| s)
}

/// First screen row of search results.
pub fn search_results_top(size: (u16, u16)) -> u16 {
    overlay_area(Rect::new(0, 0, size.0, size.1)).y + 4
}

/// Rows of search results visible.
pub fn search_rows(size: (u16, u16)) -> usize {
    let o = overlay_area(Rect::new(0, 0, size.0, size.1));
    (o.height.saturating_sub(5) / 2) as usize
}

/// Index of the first visible search result.
pub fn search_first_visible(sel: usize, size: (u16, u16)) -> usize {
    list_first_visible(sel, search_rows(size).max(1))
}
