//! The card browser: a table of every card (trial, role, kind, state, due, stability, lapses,
//! question), the selected card's id and question under it, and the filter being typed.

use crate::content::Library;
use crate::tui::app::{CardsBrowser, Deck};
use crate::tui::lines::wrap::truncate;
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget};
use std::time::SystemTime;

pub struct CardsView<'a> {
    pub lib: &'a Library,
    pub deck: &'a Deck,
    pub browser: &'a CardsBrowser,
    pub theme: &'a Theme,
    pub now: SystemTime,
    pub hints: Vec<(String, &'static str)>,
    pub message: Option<&'a str>,
}

/// Rows of the table that fit at a screen height (title, filter, header, the selected card's
/// two lines and the footer take the rest).
pub fn table_rows(height: u16) -> usize {
    height.saturating_sub(7).max(1) as usize
}

fn pad(s: &str, w: usize) -> String {
    let s = truncate(s, w);
    let n = s.chars().count();
    format!("{s}{}", " ".repeat(w.saturating_sub(n)))
}

impl Widget for &CardsView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let area = area.intersection(buf.area);
        ratatui::widgets::Block::new()
            .style(t.base)
            .render(area, buf);
        if area.height < 6 {
            return;
        }
        let b = self.browser;
        let w = area.width as usize;
        buf.set_string(
            area.x,
            area.y,
            truncate(
                &format!(
                    " trialdeck · Cards · {} of {} shown",
                    b.rows.len(),
                    self.deck.cards.len()
                ),
                w,
            ),
            t.title,
        );
        let filter = if b.typing {
            format!(" Filter: {}▏", b.query)
        } else if b.query.is_empty() {
            " Filter: (none: / filters by trial, role, state, words of the question)".to_string()
        } else {
            format!(" Filter: {}", b.query)
        };
        buf.set_string(
            area.x,
            area.y + 1,
            truncate(&filter, w),
            if b.typing { t.accent } else { t.muted },
        );
        // Trial, role, kind, state, due, stability, lapses, then the question.
        let cols = [12usize, 15, 8, 10, 10, 6, 3];
        let header = ["Trial", "Role", "Kind", "State", "Due", "Stab.", "Lap"];
        let mut head = String::from(" ");
        for (c, h) in cols.iter().zip(header) {
            head.push_str(&pad(h, *c));
            head.push(' ');
        }
        head.push_str("Question");
        buf.set_string(area.x, area.y + 2, truncate(&head, w), t.heading);
        let rows = table_rows(area.height);
        let first = crate::tui::layout::list_first_visible(b.sel, rows);
        for (n, &i) in b.rows.iter().enumerate().skip(first).take(rows) {
            let r = CardsBrowser::row(self.deck, self.lib, i, self.now);
            let state = if r.leech {
                format!("{}*", r.state)
            } else {
                r.state.to_string()
            };
            let stab = r.stability.map(|s| format!("{s:.0}d")).unwrap_or_default();
            let cells = [
                r.trial.clone(),
                r.role.clone(),
                r.kind.to_string(),
                state,
                r.due.clone(),
                stab,
                r.lapses.to_string(),
            ];
            let mut line = String::from(if n == b.sel { "▶" } else { " " });
            for (c, v) in cols.iter().zip(cells) {
                line.push_str(&pad(&v, *c));
                line.push(' ');
            }
            line.push_str(&r.prompt);
            let style = if n == b.sel {
                t.selected
            } else if r.state == "suspended" || r.state == "buried" {
                t.muted
            } else {
                t.base
            };
            let y = area.y + 3 + (n - first) as u16;
            buf.set_string(area.x, y, pad(&line, w), style);
        }
        if b.rows.is_empty() {
            buf.set_string(
                area.x + 1,
                area.y + 3,
                "No card matches the filter.",
                t.muted,
            );
        }
        let fy = area.y + area.height - 1;
        if let Some(i) = b.selected() {
            let r = CardsBrowser::row(self.deck, self.lib, i, self.now);
            let leech = if r.leech { " · leech" } else { "" };
            buf.set_string(
                area.x,
                fy - 2,
                truncate(&format!(" {} · {} reviews{leech}", r.id, r.reps), w),
                t.muted,
            );
            buf.set_string(
                area.x,
                fy - 1,
                truncate(&format!(" {}", r.prompt), w),
                t.base,
            );
        }
        let line: Line<'static> =
            super::footer_line(self.message, self.hints.clone(), area.width, t);
        Paragraph::new(line).render(Rect::new(area.x, fy, area.width, 1), buf);
    }
}
