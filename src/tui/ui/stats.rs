//! Review statistics over the screen: what is due, reviews per day and the 30-day forecast as
//! column charts, retention by role and by trial. Scrolls like help.

use super::Scroll;
use crate::review::stats::{Retention, Stats, column_chart};
use crate::tui::layout;
use crate::tui::lines::wrap::truncate;
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

pub struct StatsView<'a> {
    pub stats: &'a Stats,
    pub scroll: usize,
    pub theme: &'a Theme,
    /// The learner's level, when set: reported against.
    pub level: Option<crate::content::Role>,
}

impl StatsView<'_> {
    pub fn lines(&self, width: u16) -> Vec<Line<'static>> {
        let t = self.theme;
        let s = self.stats;
        let w = width as usize;
        let mut out: Vec<Line<'static>> = Vec::new();
        let text = |s: String, st| Line::from(Span::styled(s, st));
        out.push(text(
            format!(
                "{} cards · {} new · due now {} · due today {} · due this week {}",
                s.total_cards, s.new_cards, s.due_now, s.due_today, s.due_week
            ),
            t.title,
        ));
        out.push(Line::default());
        let chart = |out: &mut Vec<Line<'static>>,
                     title: String,
                     days: &[crate::review::stats::DayCount]| {
            out.push(text(title, t.heading));
            // One column per day, two cells wide where there is room.
            let wide = w >= days.len() * 2 + 4;
            for row in column_chart(days, 5) {
                let row: String = if wide {
                    row.chars().flat_map(|c| [c, c]).collect()
                } else {
                    row
                };
                out.push(Line::from(vec![
                    Span::styled("  │", t.muted),
                    Span::styled(row, t.plot_point),
                ]));
            }
            if let (Some(a), Some(b)) = (days.first(), days.last()) {
                let span = if wide { days.len() * 2 } else { days.len() };
                let gap = span.saturating_sub(a.date.len() + b.date.len());
                out.push(text(
                    format!("   {}{}{}", a.date, " ".repeat(gap), b.date),
                    t.muted,
                ));
            }
            out.push(Line::default());
        };
        let total: u32 = s.reviews_per_day.iter().map(|d| d.count).sum();
        chart(
            &mut out,
            format!("Reviews per day, last 30 days ({total} in all; today at the right)"),
            &s.reviews_per_day,
        );
        let ahead: u32 = s.forecast.iter().map(|d| d.count).sum();
        chart(
            &mut out,
            format!("Due in the next 30 days ({ahead}; today at the left)"),
            &s.forecast,
        );
        let table = |out: &mut Vec<Line<'static>>, title: &str, rows: &[Retention]| {
            out.push(text(title.to_string(), t.heading));
            if rows.is_empty() {
                out.push(text(
                    "  no reviews of cards seen before, in the last 30 days".into(),
                    t.muted,
                ));
            }
            for r in rows {
                let pct = (r.rate * 100.0).round() as u32;
                out.push(Line::from(vec![
                    Span::styled(format!("  {:<24} ", truncate(&r.label, 24)), t.base),
                    Span::styled(format!("{pct:>3}% "), t.accent),
                    Span::styled("█".repeat((pct / 5) as usize), t.plot_point),
                    Span::styled(format!("  {} of {} recalled", r.passed, r.reviews), t.muted),
                ]));
            }
            out.push(Line::default());
        };
        let roles: Vec<Retention> = match self.level {
            Some(level) => s
                .retention_by_role
                .iter()
                .filter(|r| crate::content::Role::parse(&r.key).is_some_and(|role| role <= level))
                .cloned()
                .collect(),
            None => s.retention_by_role.clone(),
        };
        let title = match self.level {
            Some(l) => format!("Retention by role, up to your level ({})", l.label()),
            None => "Retention by role".to_string(),
        };
        table(&mut out, &title, &roles);
        table(&mut out, "Retention by trial", &s.retention_by_trial);
        out
    }
}

impl Widget for &StatsView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let size = (buf.area.width, buf.area.height);
        super::overlay_block(" Review statistics · j/k PgUp/PgDn scroll · Esc closes ", t)
            .render(area, buf);
        let body = layout::help_body(size);
        let lines = self.lines(body.width);
        Scroll::new(self.scroll, lines.len(), body.height as usize)
            .render_lines(lines, body, buf, t.base, t.muted);
    }
}
