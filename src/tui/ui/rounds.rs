//! Teaching rounds on a shared screen: no list, no tabs; one centred card at a readable
//! measure, the question as large as fits, a large countdown, generous spacing. The rows come
//! from [`crate::tui::lines::rounds`], which `update` measures too, so a card that does not
//! fit scrolls (J/K) and says so with a "more" mark.

use super::forest::ForestPlot;
use crate::content::Library;
use crate::doc::{Block, Section};
use crate::tui::action::Action;
use crate::tui::app::{Rounds, Step};
use crate::tui::keymap::{Context, Keymap};
use crate::tui::lines::Look;
use crate::tui::lines::big;
use crate::tui::lines::rounds::{self as lay, Row};
use crate::tui::lines::wrap::truncate;
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Widget};
use std::time::{Duration, SystemTime};

pub use crate::tui::lines::rounds::MEASURE;

pub struct RoundsView<'a> {
    pub lib: &'a Library,
    pub rounds: &'a Rounds,
    pub theme: &'a Theme,
    pub now: SystemTime,
    /// The footer's (keys, word) hints.
    pub hints: Vec<(String, &'static str)>,
    pub message: Option<&'a str>,
    /// Text that names a key asks the keymap.
    pub keys: &'a Keymap,
    /// Drawn small on a presenter's screen: no footer, no question list.
    pub preview: bool,
}

pub use crate::tui::lines::rounds::column;

/// The countdown's style: its colour turns in the last 30 seconds.
pub fn clock_style(r: &Rounds, now: SystemTime, t: &Theme) -> Style {
    let left = r.timer.remaining(now);
    if !r.timer.running() {
        t.muted
    } else if left <= Duration::from_secs(30) {
        t.bad
    } else {
        t.accent
    }
}

/// A mark at the right end of row `y` of `area`: "↓ more · J scrolls".
pub fn more_mark(buf: &mut Buffer, area: Rect, y: u16, text: &str, style: Style) {
    let row = Rect::new(area.x, y, area.width, 1).intersection(buf.area);
    if row.is_empty() {
        return;
    }
    let t = truncate(text, row.width as usize);
    let w = unicode_width::UnicodeWidthStr::width(t.as_str()) as u16;
    buf.set_string(row.x + row.width - w, y, &t, style);
}

impl Widget for &RoundsView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let area = area.intersection(buf.area);
        if area.is_empty() {
            return;
        }
        // Drawn at the origin, then copied where it goes (the presenter draws it small).
        let mut scratch = Buffer::empty(Rect::new(0, 0, area.width, area.height));
        self.draw(&mut scratch);
        for y in 0..area.height {
            for x in 0..area.width {
                buf[(area.x + x, area.y + y)] = scratch[(x, y)].clone();
            }
        }
    }
}

impl RoundsView<'_> {
    fn look(&self) -> Look<'_> {
        Look {
            theme: self.theme,
            keys: self.keys,
        }
    }

    fn draw(&self, buf: &mut Buffer) {
        let t = self.theme;
        let r = self.rounds;
        let area = buf.area;
        ratatui::widgets::Block::new()
            .style(t.base)
            .render(area, buf);
        if r.blank {
            if self.preview {
                let msg = "(blank: the room sees nothing)";
                buf.set_string(
                    0,
                    area.height / 2,
                    truncate(msg, area.width as usize),
                    t.muted,
                );
            }
            return;
        }
        let e = &self.lib.entries[r.entry];
        let a = lay::room((area.width, area.height), r, self.now);
        // Top line: the trial and where we are (the countdown in words when no clock shows).
        let mut right = r.where_label();
        if r.timer.shown() && a.clock.is_none() {
            right.push_str(&format!(
                "  Timer {}{} ",
                lay::clock_text(r, self.now),
                if r.timer.running() { "" } else { " paused" }
            ));
        } else {
            right.push(' ');
        }
        let rw = unicode_width::UnicodeWidthStr::width(right.as_str()) as u16;
        buf.set_string(area.width.saturating_sub(rw), 0, &right, t.heading);
        // The trial's name on the left, in what room the right side leaves.
        let left = format!(" {} · teaching rounds", e.name);
        let room = (area.width.saturating_sub(rw + 1) as usize).min(area.width as usize / 2);
        if room > 3 {
            buf.set_string(0, 0, truncate(&left, room), t.muted);
        }
        if !self.preview {
            let line = super::footer_line(self.message, self.hints.clone(), area.width, t);
            let line = match &r.goto {
                Some(typed) => Line::from(vec![Span::styled(
                    format!(
                        " go to question: {typed}_   (1–{}; {} goes, {} cancels) ",
                        r.questions.len(),
                        self.keys.key_for(Context::Rounds, &Action::Open),
                        self.keys.key_for(Context::Rounds, &Action::Back)
                    ),
                    t.warn,
                )]),
                None => line,
            };
            Paragraph::new(line).render(a.footer, buf);
        }
        if r.time_up(self.now) {
            time_card(
                buf,
                Rect::new(0, 2, area.width, area.height.saturating_sub(3)),
                r,
                t,
            );
            return;
        }
        self.card(buf, a.card);
        if let Some(c) = a.clock {
            clock(buf, c, r, self.now, t);
        }
        if let Some(n) = a.notes {
            self.notes_panel(buf, n);
        }
        if r.list.is_some() && !self.preview {
            self.question_list(buf, area);
        }
    }

    fn card(&self, buf: &mut Buffer, area: Rect) {
        let t = self.theme;
        let r = self.rounds;
        if area.height == 0 || area.width == 0 {
            return;
        }
        let card = lay::card(self.lib, r, area.width, area.height, self.look());
        let total = card.rows.len();
        let h = area.height as usize;
        let top = r.scroll.min(total.saturating_sub(h));
        let mut y = area.y;
        if card.centre && total < h {
            y += ((h - total) / 2) as u16;
        }
        // The forest plot, drawn once at its full height, copied a row at a time.
        let plot = card.rows.iter().find_map(|row| match row {
            Row::Plot { x, w, .. } => Some((*x, *w)),
            _ => None,
        });
        let plot_buf = plot.and_then(|(_, w)| {
            let rows = match r
                .doc
                .part(Section::Forest)
                .iter()
                .find(|b| matches!(b, Block::Forest { .. }))
            {
                Some(Block::Forest { rows, favours, .. }) => (rows, favours),
                _ => return None,
            };
            let p = ForestPlot {
                rows: rows.0,
                favours: rows.1.as_ref(),
                theme: t,
            };
            let ph = p.height(w);
            let mut b = Buffer::empty(Rect::new(0, 0, w, ph));
            ratatui::widgets::Block::new()
                .style(t.base)
                .render(b.area, &mut b);
            (&p).render(b.area, &mut b);
            Some(b)
        });
        for row in card.rows.iter().skip(top).take(h) {
            match row {
                Row::Line(l) => {
                    Paragraph::new(l.clone())
                        .style(t.base)
                        .render(Rect::new(area.x, y, area.width, 1), buf);
                }
                Row::Plot { i, x, w } => {
                    if let Some(pb) = &plot_buf {
                        for dx in 0..*w {
                            let (cx, cy) = (area.x + x + dx, y);
                            if cx < buf.area.width && *i < pb.area.height {
                                buf[(cx, cy)] = pb[(dx, *i)].clone();
                            }
                        }
                    }
                }
            }
            y += 1;
        }
        let key = |a: &Action| self.keys.key_for(Context::Rounds, a);
        if self.preview {
            // Drawn small, the card is cut where the room's is not: no marks.
            return;
        }
        if top > 0 && area.y > 0 {
            more_mark(
                buf,
                area,
                area.y - 1,
                &format!(" ↑ more above · {} scrolls up ", key(&Action::CardUp)),
                t.warn,
            );
        }
        if top + h < total {
            more_mark(
                buf,
                area,
                area.y + area.height,
                &format!(" ↓ more below · {} scrolls down ", key(&Action::CardDown)),
                t.warn,
            );
        }
    }

    fn notes_panel(&self, buf: &mut Buffer, area: Rect) {
        let t = self.theme;
        let r = self.rounds;
        let key = |a: &Action| self.keys.key_for(Context::Rounds, a);
        let block = ratatui::widgets::Block::bordered()
            .title(Span::styled(
                format!(
                    " Presenter notes · {} closes · {} {} scroll ",
                    key(&Action::Notes),
                    key(&Action::NotesDown),
                    key(&Action::NotesUp)
                ),
                t.heading,
            ))
            .border_style(t.border);
        let inner = block.inner(area);
        block.render(area, buf);
        let col = column(inner);
        let lines = lay::notes(r, col.width, self.look());
        let s = super::Scroll::new(r.notes_scroll, lines.len(), col.height as usize);
        s.render_lines(lines, col, buf, t.base, t.warn);
    }

    fn question_list(&self, buf: &mut Buffer, area: Rect) {
        let t = self.theme;
        let r = self.rounds;
        let sel = r.list.unwrap_or(0);
        let w = area.width.saturating_sub(8).min(110);
        let h = (r.steps.len() as u16 + 2).min(area.height.saturating_sub(4));
        let rect = Rect::new((area.width - w) / 2, 2, w, h);
        Clear.render(rect, buf);
        let key = |a: &Action| self.keys.key_for(Context::Rounds, a);
        let block = super::overlay_block("", t).title(Span::styled(
            format!(
                " Questions · {} goes · {} closes ",
                key(&Action::Open),
                key(&Action::Back)
            ),
            t.border_focus,
        ));
        let inner = block.inner(rect);
        block.render(rect, buf);
        let rows = inner.height as usize;
        let first = crate::tui::layout::list_first_visible(sel, rows);
        for (n, step) in r.steps.iter().enumerate().skip(first).take(rows) {
            let mark = if n == r.at {
                "▶ "
            } else if r.covered.contains(&n) {
                "✓ "
            } else {
                "  "
            };
            let text = match step {
                Step::Title => "Title card".to_string(),
                Step::Evidence => "Evidence".to_string(),
                Step::Question(i) => match r.question_at(*i) {
                    Some(q) => format!("{}  {} — {}", i + 1, q.role.label(), q.prompt),
                    None => format!("{}", i + 1),
                },
            };
            let style = if n == sel { t.selected } else { t.base };
            let line = Line::from(vec![
                Span::styled(mark, t.accent),
                Span::styled(
                    truncate(&text, inner.width.saturating_sub(2) as usize),
                    style,
                ),
            ]);
            Paragraph::new(line).render(
                Rect::new(inner.x, inner.y + (n - first) as u16, inner.width, 1),
                buf,
            );
        }
    }
}

/// The large countdown: block digits, and a word under them (left, last 30 s, paused).
fn clock(buf: &mut Buffer, area: Rect, r: &Rounds, now: SystemTime, t: &Theme) {
    let text = lay::clock_text(r, now);
    let style = clock_style(r, now, t);
    let size = lay::clock_size(buf.area.width);
    let digits = Rect::new(area.x, area.y, area.width, big::ROWS);
    super::bigtext::render(&text, size, digits, buf, style);
    let word = if !r.timer.running() {
        "paused"
    } else if r.timer.remaining(now) <= Duration::from_secs(30) {
        "last 30 seconds"
    } else {
        "left"
    };
    let w = word.len() as u16;
    buf.set_string(
        area.x + area.width.saturating_sub(w) / 2,
        area.y + big::ROWS,
        word,
        style,
    );
}

/// The countdown has run out: "TIME" in large type in a heavy frame, filling the card.
fn time_card(buf: &mut Buffer, area: Rect, r: &Rounds, t: &Theme) {
    if area.height < 3 || area.width < 10 {
        return;
    }
    let h = (big::ROWS + 6).min(area.height);
    let w = area.width.saturating_sub(4).min(80);
    let rect = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    let block = ratatui::widgets::Block::bordered()
        .border_type(ratatui::widgets::BorderType::Thick)
        .border_style(t.bad);
    let inner = block.inner(rect);
    block.render(rect, buf);
    let digits = Rect::new(inner.x, inner.y + 1, inner.width, big::ROWS);
    match big::fit("TIME", inner.width) {
        Some(size) if inner.height > big::ROWS => {
            super::bigtext::render("TIME", size, digits, buf, t.bad);
        }
        _ => {
            buf.set_string(
                inner.x + inner.width.saturating_sub(4) / 2,
                inner.y,
                "TIME",
                t.bad,
            );
        }
    }
    let secs = r.timer.total.as_secs();
    let msg = format!(
        "{}:{:02} is up · any key returns to the question",
        secs / 60,
        secs % 60
    );
    let msg = truncate(&msg, inner.width as usize);
    let mw = unicode_width::UnicodeWidthStr::width(msg.as_str()) as u16;
    buf.set_string(
        inner.x + inner.width.saturating_sub(mw) / 2,
        inner.y + inner.height.saturating_sub(1),
        &msg,
        t.warn,
    );
}
