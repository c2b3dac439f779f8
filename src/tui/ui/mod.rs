//! Views: small structs that borrow what they show and draw it. No state changes here, and
//! no geometry of their own: areas come from [`crate::tui::layout`], the lines of an entry from
//! [`crate::tui::lines::document`].

pub mod bigtext;
pub mod cards;
pub mod detail;
pub mod forest;
pub mod help;
pub mod list;
mod page;
pub mod presenter;
pub mod quiz;
pub mod rounds;
pub mod search;
pub mod stats;

use crate::tui::app::{App, Overlay, Screen};
use crate::tui::layout::{self, MIN_HEIGHT, MIN_WIDTH};
use crate::tui::lines::wrap::truncate;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

/// Draw the whole app.
pub fn render(app: &App, frame: &mut Frame) {
    let full = frame.area();
    let size = (full.width, full.height);
    let t = &app.theme;
    frame.render_widget(Block::new().style(t.base), full);
    if layout::too_small(size) {
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
    match &app.screen {
        Screen::Quiz(q) => {
            frame.render_widget(
                &quiz::QuizView {
                    lib: &app.lib,
                    deck: &app.deck,
                    quiz: q,
                    theme: t,
                    now: app.now,
                    hints: app.hints(),
                    message: app.message.as_deref(),
                    keys: &app.keymap,
                },
                full,
            );
        }
        Screen::Rounds(r) if r.rounds.is_presenter() => {
            frame.render_widget(
                &presenter::PresenterView {
                    lib: &app.lib,
                    rounds: &r.rounds,
                    theme: t,
                    now: app.now,
                    hints: app.hints(),
                    message: app.message.as_deref(),
                    keys: &app.keymap,
                },
                full,
            );
        }
        Screen::Cards(c) => {
            frame.render_widget(
                &cards::CardsView {
                    lib: &app.lib,
                    deck: &app.deck,
                    browser: &c.browser,
                    theme: t,
                    now: app.now,
                    hints: app.hints(),
                    message: app.message.as_deref(),
                },
                full,
            );
        }
        Screen::Rounds(r) => {
            frame.render_widget(
                &rounds::RoundsView {
                    lib: &app.lib,
                    rounds: &r.rounds,
                    theme: t,
                    now: app.now,
                    hints: app.hints(),
                    message: app.message.as_deref(),
                    keys: &app.keymap,
                    preview: false,
                },
                full,
            );
        }
        Screen::Browse => {
            let b = &app.browse;
            let areas = layout::browse(size, b.focus);
            header(app, frame, areas.header);
            if let Some(l) = areas.list {
                frame.render_widget(
                    &list::ListView {
                        lib: &app.lib,
                        browse: b,
                        theme: t,
                    },
                    l,
                );
            }
            if let Some(d) = areas.detail {
                frame.render_widget(
                    &detail::DetailView {
                        lib: &app.lib,
                        browse: b,
                        theme: t,
                        keys: &app.keymap,
                    },
                    d,
                );
            }
            footer(app, frame, areas.footer);
        }
    }
    let Some(overlay) = &app.overlay else { return };
    let r = layout::overlay(size);
    frame.render_widget(Clear, r);
    match overlay {
        Overlay::Search(st) => {
            let view = search::SearchView {
                lib: &app.lib,
                highlighter: app.highlighter(),
                state: st,
                theme: t,
                keys: &app.keymap,
                docs: &app.browse.docs,
            };
            frame.render_widget(&view, r);
        }
        Overlay::Help(h) => {
            let view = help::HelpView {
                keymap: &app.keymap,
                scroll: h.scroll,
                theme: t,
            };
            frame.render_widget(&view, r);
        }
        Overlay::Stats(st) => {
            let view = stats::StatsView {
                stats: &st.stats,
                scroll: st.scroll,
                theme: t,
                level: app.deck.level,
                keys: &app.keymap,
            };
            frame.render_widget(&view, r);
        }
    }
}

/// The title of a reading overlay (help, statistics) with its keys, from the keymap.
pub fn reader_title(name: &str, k: &crate::tui::keymap::Keymap) -> String {
    use crate::tui::action::Action as A;
    use crate::tui::keymap::Context::Help as H;
    format!(
        " {name} · {}/{} {}/{} scroll · {} closes ",
        k.key_for(H, &A::Down),
        k.key_for(H, &A::Up),
        k.key_for(H, &A::PageUp),
        k.key_for(H, &A::PageDown),
        k.key_for(H, &A::Back)
    )
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
        " {} · {} ",
        crate::format::count(app.lib.entries.len(), "entry", "entries"),
        crate::format::count(app.lib.question_count(), "question", "questions")
    );
    let cw = counts.chars().count() as u16;
    let show_counts = area.width > cw + 20;
    let reserved = 12 + if show_counts { cw as usize } else { 0 };
    let title_w = (area.width as usize).saturating_sub(reserved);
    let line = Line::from(vec![
        Span::styled(" trialdeck ", t.key),
        Span::styled(format!(" {}", truncate(pack, title_w)), t.title),
    ]);
    frame.render_widget(Paragraph::new(line), area);
    if show_counts {
        let r = Rect::new(area.x + area.width - cw, area.y, cw, 1);
        frame.render_widget(Paragraph::new(Span::styled(counts, t.muted)), r);
    }
}

/// The footer: a message, then the keys that act here (as many as fit), and `? help`.
fn footer(app: &App, frame: &mut Frame, area: Rect) {
    let line = footer_line(app.message.as_deref(), app.hints(), area.width, &app.theme);
    frame.render_widget(Paragraph::new(line), area);
}

/// A footer line: the message, then hints that fit in `width` (in order), `? help` always last.
pub fn footer_line(
    message: Option<&str>,
    hints: Vec<(String, &'static str)>,
    width: u16,
    t: &Theme,
) -> Line<'static> {
    let mut spans: Vec<Span<'static>> = Vec::new();
    if let Some(m) = message {
        spans.push(Span::styled(format!(" {m} "), t.warn));
    }
    let piece = |keys: &str, desc: &str| {
        [
            Span::styled(format!(" {keys} "), t.key),
            Span::styled(format!(" {desc}  "), t.muted),
        ]
    };
    let (help, rest): (Vec<_>, Vec<_>) = hints.into_iter().partition(|(_, h)| *h == "help");
    let help: Vec<Span> = help
        .first()
        .map(|(k, d)| piece(k, d).to_vec())
        .unwrap_or_default();
    let help_w: usize = help.iter().map(|s| s.width()).sum();
    let mut used: usize = spans.iter().map(|s| s.width()).sum::<usize>() + help_w;
    for (keys, desc) in rest {
        let p = piece(&keys, desc);
        let w: usize = p.iter().map(|s| s.width()).sum();
        if used + w > width as usize {
            continue;
        }
        used += w;
        spans.extend(p);
    }
    spans.extend(help);
    Line::from(spans)
}

/// The frame of an overlay (help, statistics): a heavy border with its title.
pub fn overlay_block<'a>(title: &'a str, t: &Theme) -> Block<'a> {
    Block::bordered()
        .border_type(ratatui::widgets::BorderType::Thick)
        .border_style(t.border_focus)
        .title(Span::styled(title, t.border_focus))
        .style(t.base)
}

/// A bordered block whose border shows focus by style and by a heavier line.
pub fn panel<'a>(title: Line<'a>, focused: bool, t: &Theme) -> Block<'a> {
    let b = Block::bordered().title(title);
    if focused {
        b.border_type(ratatui::widgets::BorderType::Thick)
            .border_style(t.border_focus)
    } else {
        b.border_style(t.border)
    }
}

/// A window of `height` rows at `top` over `total` rows: the one scroll type of every view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scroll {
    pub top: usize,
    pub total: usize,
    pub height: usize,
}

impl Scroll {
    pub fn new(top: usize, total: usize, height: usize) -> Scroll {
        Scroll {
            top: top.min(layout::max_top(total, height)),
            total,
            height,
        }
    }

    pub fn more_above(&self) -> bool {
        self.top > 0
    }

    pub fn more_below(&self) -> bool {
        self.top + self.height < self.total
    }

    /// Draw the visible lines into `area`, and "↑ more"/"↓ more" on the rows just outside it
    /// (a border or the tab row), over blank or border cells only, so they never hide text.
    pub fn render_lines(
        &self,
        lines: Vec<Line<'static>>,
        area: Rect,
        buf: &mut Buffer,
        style: Style,
        marker: Style,
    ) {
        let visible: Vec<Line> = lines.into_iter().skip(self.top).take(self.height).collect();
        Paragraph::new(visible).style(style).render(area, buf);
        self.render_marks(area, buf, marker);
    }

    /// Only the marks (for views that draw their own rows).
    pub fn render_marks(&self, area: Rect, buf: &mut Buffer, marker: Style) {
        if self.more_above() && area.y > 0 {
            mark(buf, area, area.y - 1, " ↑ more ", "↑", marker);
        }
        if self.more_below() && self.height > 0 {
            mark(buf, area, area.y + area.height, " ↓ more ", "↓", marker);
        }
    }
}

fn mark(buf: &mut Buffer, area: Rect, y: u16, text: &str, arrow: &str, style: Style) {
    let row = Rect::new(area.x, y, area.width, 1).intersection(buf.area);
    if row.is_empty() {
        return;
    }
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
        buf.set_string(end - w - 1, y, text, style);
    } else if free >= 1 {
        buf.set_string(end - 1, y, arrow, style);
    }
}
