//! Review statistics as lines at a width: what is due, reviews per day and the 30-day
//! forecast as column charts, retention by role and by trial. The statistics view draws these
//! lines and `update` measures them to bound its scroll.

use crate::review::stats::{Retention, Stats, column_chart};
use crate::tui::lines::wrap::truncate;
use crate::tui::theme::Theme;
use ratatui::text::{Line, Span};

/// The statistics as lines at a width.
pub fn lines(
    stats: &Stats,
    level: Option<crate::content::Role>,
    theme: &Theme,
    width: u16,
) -> Vec<Line<'static>> {
    let t = theme;
    let s = stats;
    let w = width as usize;
    let mut out: Vec<Line<'static>> = Vec::new();
    let text = |s: String, st| Line::from(Span::styled(s, st));
    out.push(text(
        format!(
            "{} cards · {} new · {} learning · {} suspended",
            s.total_cards, s.new_cards, s.learning, s.suspended
        ),
        t.title,
    ));
    out.push(text(
        format!(
            "Due now {} · today {} · tomorrow {} · this week {}",
            s.due_now, s.due_today, s.due_tomorrow, s.due_week
        ),
        t.title,
    ));
    out.push(Line::default());
    let chart =
        |out: &mut Vec<Line<'static>>, title: String, days: &[crate::review::stats::DayCount]| {
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
    let roles: Vec<Retention> = match level {
        Some(level) => s
            .retention_by_role
            .iter()
            .filter(|r| crate::content::Role::parse(&r.key).is_some_and(|role| role <= level))
            .cloned()
            .collect(),
        None => s.retention_by_role.clone(),
    };
    let title = match level {
        Some(l) => format!("Retention by role, up to your level ({})", l.label()),
        None => "Retention by role".to_string(),
    };
    table(&mut out, &title, &roles);
    table(&mut out, "Retention by trial", &s.retention_by_trial);
    out.push(Line::default());
    out.push(text(
        format!(
            "Leeches ({}): cards that lapsed often enough to be suspended",
            s.leeches.len()
        ),
        t.heading,
    ));
    for l in &s.leeches {
        out.push(text(
            truncate(
                &format!(
                    "  {} · {} · {} lapses · {}",
                    l.trial, l.role, l.lapses, l.card
                ),
                w,
            ),
            t.base,
        ));
    }
    out
}
