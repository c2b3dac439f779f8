//! The presenter's screen: what the room sees now (drawn small), the clock, the next
//! question, the learners and who has been called, and — for the attending's eyes only — the
//! key response, every key point (✓ those the room has seen) and the notes, this question's
//! first. Its areas and lines come from [`crate::tui::lines::rounds`].

use super::rounds::{RoundsView, clock_style, more_mark};
use crate::content::Library;
use crate::tui::action::Action;
use crate::tui::app::{Rounds, Side};
use crate::tui::keymap::{Context, Keymap};
use crate::tui::lines::Look;
use crate::tui::lines::rounds::{self as lay};
use crate::tui::lines::wrap::{truncate, wrap};
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};
use std::time::{Duration, SystemTime};

pub struct PresenterView<'a> {
    pub lib: &'a Library,
    pub rounds: &'a Rounds,
    pub theme: &'a Theme,
    pub now: SystemTime,
    pub hints: Vec<(String, &'static str)>,
    pub message: Option<&'a str>,
    pub keys: &'a Keymap,
}

/// "12:05" from a duration (hours as minutes past 60).
fn mmss(d: Duration) -> String {
    let s = d.as_secs();
    format!("{}:{:02}", s / 60, s % 60)
}

fn pane<'a>(title: String, t: &Theme) -> ratatui::widgets::Block<'a> {
    ratatui::widgets::Block::bordered()
        .title(Span::styled(title, t.heading))
        .border_style(t.border)
}

impl Widget for &PresenterView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let r = self.rounds;
        let area = area.intersection(buf.area);
        ratatui::widgets::Block::new()
            .style(t.base)
            .render(area, buf);
        let a = lay::presenter((area.width, area.height));
        let e = &self.lib.entries[r.entry];
        let key = |x: &Action| self.keys.key_for(Context::Rounds, x);
        // Top line: the round and the link, where the room is.
        let (name, connected) = match &r.side {
            Side::Presenter { name, connected } => (name.as_str(), *connected),
            Side::Room { .. } => ("", true),
        };
        let link = if connected {
            format!("round `{name}` · room {}×{}", r.room_size.0, r.room_size.1)
        } else {
            format!("round `{name}` · the room is gone: waiting for it")
        };
        let left = format!(" {} · presenter · {link}", e.name);
        buf.set_string(
            0,
            0,
            truncate(&left, area.width as usize * 2 / 3),
            if connected { t.muted } else { t.warn },
        );
        let right = format!("{} ", r.where_label());
        let rw = unicode_width::UnicodeWidthStr::width(right.as_str()) as u16;
        buf.set_string(area.width.saturating_sub(rw), 0, &right, t.heading);
        // What the room sees, small.
        if a.room.height > 2 {
            let block = pane(
                format!(" The room now{} ", if r.blank { " · blank" } else { "" }),
                t,
            );
            let inner = block.inner(a.room);
            block.render(a.room, buf);
            let view = RoundsView {
                lib: self.lib,
                rounds: r,
                theme: t,
                now: self.now,
                hints: Vec::new(),
                message: None,
                keys: self.keys,
                preview: true,
            };
            (&view).render(inner, buf);
        }
        // The clock: the countdown, the round's time, this card's time.
        if a.clock.height > 2 {
            let block = pane(" Clock ".into(), t);
            let inner = block.inner(a.clock);
            block.render(a.clock, buf);
            let left = r.timer.remaining(self.now);
            let countdown = if r.time_up(self.now) || (r.timer.running() && left.is_zero()) {
                "TIME is up".to_string()
            } else if r.timer.shown() {
                format!(
                    "{} {}",
                    lay::clock_text(r, self.now),
                    if r.timer.running() { "left" } else { "paused" }
                )
            } else {
                format!("{} (not started)", mmss(r.timer.total))
            };
            let since = |s: SystemTime| self.now.duration_since(s).unwrap_or_default();
            let lines = vec![
                Line::from(vec![
                    Span::styled("Countdown ", t.heading),
                    Span::styled(countdown, clock_style(r, self.now, t)),
                ]),
                Line::from(vec![
                    Span::styled("Round ", t.heading),
                    Span::styled(mmss(since(r.started)), t.base),
                    Span::styled(" · this card ", t.heading),
                    Span::styled(mmss(since(r.step_since)), t.base),
                ]),
            ];
            Paragraph::new(lines).render(inner, buf);
        }
        // The next question.
        if a.next.height > 2 {
            let block = pane(" Next ".into(), t);
            let inner = block.inner(a.next);
            block.render(a.next, buf);
            let lines = match r.next_question() {
                Some((i, q)) => {
                    let mut l = vec![Line::styled(
                        format!("{} · {} of {}", q.role.label(), i + 1, r.questions.len()),
                        t.accent,
                    )];
                    l.extend(wrap(
                        vec![Span::styled(q.prompt.clone(), t.base)],
                        inner.width as usize,
                        0,
                    ));
                    l
                }
                None => vec![Line::styled("This is the last question.", t.muted)],
            };
            cut_lines(buf, inner, lines, t);
        }
        // The learners, and who has been called.
        if a.learners.height > 2 {
            let block = pane(
                format!(" Learners · {} calls on one ", key(&Action::Learner)),
                t,
            );
            let inner = block.inner(a.learners);
            block.render(a.learners, buf);
            let mut lines = Vec::new();
            if r.learners.is_empty() {
                lines.push(Line::styled(
                    "No learners: start the room with --learners FILE.",
                    t.muted,
                ));
            }
            for (i, name) in r.learners.iter().enumerate() {
                let asked: Vec<String> = r
                    .calls
                    .iter()
                    .filter(|c| c.learner == i)
                    .map(|c| format!("Q{}", c.question + 1))
                    .collect();
                let up = r.called() == Some(name.as_str()) && r.learner == Some(i);
                let (mark, style) = if up {
                    ("▶ ", t.warn)
                } else if !asked.is_empty() {
                    ("✓ ", t.good)
                } else {
                    ("· ", t.muted)
                };
                let mut spans = vec![
                    Span::styled(mark, style),
                    Span::styled(name.clone(), t.base),
                ];
                if up {
                    spans.push(Span::styled("  called now", t.warn));
                }
                if !asked.is_empty() {
                    spans.push(Span::styled(format!("  ({})", asked.join(", ")), t.muted));
                }
                lines.extend(wrap(spans, inner.width as usize, 2));
            }
            cut_lines(buf, inner, lines, t);
        }
        // The answer and the notes, for the attending only.
        if a.answer.height > 2 {
            let block = pane(
                format!(
                    " Answer and notes (only here) · {} {} scroll ",
                    key(&Action::NotesDown),
                    key(&Action::NotesUp)
                ),
                t,
            );
            let inner = block.inner(a.answer);
            block.render(a.answer, buf);
            let body = Rect::new(
                inner.x + 1,
                inner.y,
                inner.width.saturating_sub(2),
                inner.height,
            );
            let lines = lay::answer(
                r,
                body.width,
                Look {
                    theme: t,
                    keys: self.keys,
                },
            );
            let s = super::Scroll::new(r.notes_scroll, lines.len(), body.height as usize);
            s.render_lines(lines, body, buf, t.base, t.warn);
        }
        // Footer.
        let line = match &r.goto {
            Some(typed) => Line::styled(
                format!(
                    " go to question: {typed}_   (1–{}; {} goes, {} cancels) ",
                    r.questions.len(),
                    key(&Action::Open),
                    key(&Action::Back)
                ),
                t.warn,
            ),
            None => super::footer_line(self.message, self.hints.clone(), area.width, t),
        };
        Paragraph::new(line).render(a.footer, buf);
        if r.list.is_some() {
            // The question list over the whole screen, as on the room.
            let view = RoundsView {
                lib: self.lib,
                rounds: r,
                theme: t,
                now: self.now,
                hints: Vec::new(),
                message: None,
                keys: self.keys,
                preview: false,
            };
            let mut scratch = Buffer::empty(Rect::new(0, 0, area.width, area.height));
            (&view).render(scratch.area, &mut scratch);
            // Copy only the list's box (the rows it covers, inside the side margins).
            let w = area.width.saturating_sub(8).min(110);
            let h = (r.steps.len() as u16 + 2).min(area.height.saturating_sub(4));
            let x0 = (area.width - w) / 2;
            for y in 2..2 + h {
                for x in x0..x0 + w {
                    buf[(area.x + x, area.y + y)] = scratch[(x, y)].clone();
                }
            }
        }
    }
}

/// Lines in an area, the last row saying "more" when they do not all fit.
fn cut_lines(buf: &mut Buffer, area: Rect, mut lines: Vec<Line<'static>>, t: &Theme) {
    let h = area.height as usize;
    let cut = lines.len() > h;
    lines.truncate(h);
    Paragraph::new(lines).render(area, buf);
    if cut && h > 0 {
        more_mark(buf, area, area.y + area.height - 1, " ↓ more ", t.warn);
    }
}
