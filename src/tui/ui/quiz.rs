//! Quiz mode: the session builder, a card (question, staged key points, answer, ticks and
//! grades with their next intervals), and the session summary.

use super::page::Page;
use crate::content::Library;
use crate::review::queue;
use crate::review::stats::SessionSummary;
use crate::review::{Grade, Scheduler};
use crate::tui::action::Action;
use crate::tui::app::{Builder, BuilderRow, Deck, Face, Quiz, Session};
use crate::tui::keymap::{Context, Keymap};
use crate::tui::lines::wrap::{truncate, wrap};
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};
use std::time::SystemTime;

pub struct QuizView<'a> {
    pub lib: &'a Library,
    pub deck: &'a Deck,
    pub quiz: &'a Quiz,
    pub theme: &'a Theme,
    pub now: SystemTime,
    pub hints: Vec<(String, &'static str)>,
    pub message: Option<&'a str>,
    /// Text that names a key asks the keymap.
    pub keys: &'a Keymap,
}

/// "3 days", "1 day", "10 min".
pub fn interval(days: u32) -> String {
    match days {
        0 => "<1 day".into(),
        1 => "1 day".into(),
        d if d < 60 => format!("{d} days"),
        d if d < 730 => format!("{} mo", d / 30),
        d => format!("{} y", d / 365),
    }
}

/// "3d", "2mo", "1y".
fn short_interval(days: u32) -> String {
    match days {
        d if d < 60 => format!("{d}d"),
        d if d < 730 => format!("{}mo", d / 30),
        d => format!("{}y", d / 365),
    }
}

impl Widget for &QuizView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let area = area.intersection(buf.area);
        ratatui::widgets::Block::new()
            .style(t.base)
            .render(area, buf);
        if area.height < 4 {
            return;
        }
        let title = match self.quiz {
            Quiz::Building(_) => "Quiz · build a session".to_string(),
            Quiz::Running(s) => format!(
                "Quiz · {} of {}",
                (s.at + 1).min(s.queue.len()),
                s.queue.len()
            ),
            Quiz::Done { .. } => "Quiz · session summary".to_string(),
        };
        let saving = if self.deck.saving {
            "grades saved"
        } else {
            "not saving (--no-save or read-only history)"
        };
        buf.set_string(area.x, area.y, format!(" trialdeck · {title}"), t.title);
        let sw = saving.chars().count() as u16 + 1;
        buf.set_string(
            area.x + area.width.saturating_sub(sw),
            area.y,
            saving,
            if self.deck.saving { t.muted } else { t.warn },
        );
        let fy = area.y + area.height - 1;
        let line = super::footer_line(self.message, self.hints.clone(), area.width, t);
        Paragraph::new(line).render(Rect::new(area.x, fy, area.width, 1), buf);
        let body = crate::tui::layout::quiz_body((area.width, area.height));
        let mut p = Page::new(buf, body);
        match self.quiz {
            Quiz::Building(b) => builder(&mut p, self.lib, b, t, self.keys),
            Quiz::Running(s) => card(&mut p, self.lib, self.deck, s, self.now, t, self.keys),
            Quiz::Done { summary, .. } => done(&mut p, summary, t, self.keys),
        }
    }
}

fn counts_text(c: &queue::Counts) -> String {
    format!("{} due · {} new · {} total", c.due, c.new, c.total)
}

fn builder(p: &mut Page, lib: &Library, b: &Builder, t: &Theme, keys: &Keymap) {
    let f = &b.filter;
    let (all, session) = (&b.tally.all, b.tally.session);
    p.spans(
        vec![
            Span::styled("This choice: ", t.heading),
            Span::styled(counts_text(all), t.accent),
            Span::styled(format!(" → a session of {session}"), t.title),
        ],
        2,
    );
    let k = |a: Action| keys.key_for(Context::Quiz, &a);
    p.text(
        &format!(
            "{}/{} move · {} toggles · {}/{} change the count · {} on Start begins",
            k(Action::Down),
            k(Action::Up),
            k(Action::Reveal),
            k(Action::PrevSection),
            k(Action::NextSection),
            k(Action::Open)
        ),
        t.muted,
    );
    p.gap(1);
    let (by_role, by_entry) = (&b.tally.by_role, &b.tally.by_entry);
    let rows = b.rows();
    let h = p.bottom().saturating_sub(p.y) as usize;
    let first = crate::tui::layout::list_first_visible(b.row, h);
    let mark = |on: bool| if on { "[x]" } else { "[ ]" };
    for (i, row) in rows.iter().enumerate().skip(first).take(h) {
        let sel = i == b.row;
        let (label, extra) = match row {
            BuilderRow::Start => ("Start the session".to_string(), String::new()),
            BuilderRow::Due => (format!("{} due cards", mark(f.due)), String::new()),
            BuilderRow::New => (format!("{} new cards", mark(f.new)), String::new()),
            BuilderRow::Missed => (
                format!("{} cards I missed last time", mark(f.missed)),
                String::new(),
            ),
            BuilderRow::Facts => (
                format!("{} fact cards from the findings (#fact)", mark(!f.no_facts)),
                String::new(),
            ),
            BuilderRow::Shuffle => (
                format!("{} shuffle", mark(f.shuffle.is_some())),
                String::new(),
            ),
            BuilderRow::Count => (
                format!(
                    "    at most {} cards",
                    f.count.map_or("all".to_string(), |n| n.to_string())
                ),
                String::new(),
            ),
            BuilderRow::Role(r) => (
                format!("{} {}", mark(f.roles.contains(r)), r.label()),
                by_role.get(r).map(counts_text).unwrap_or_default(),
            ),
            BuilderRow::Trial(id) => (
                format!(
                    "{} {}",
                    mark(f.trials.contains(id)),
                    lib.entry(id).map_or(id.as_str(), |e| e.name.as_str())
                ),
                by_entry.get(id).map(counts_text).unwrap_or_default(),
            ),
        };
        let style = if sel { t.selected } else { t.base };
        let lw = (p.area.width as usize).saturating_sub(extra.chars().count() + 3);
        let label = truncate(&label, lw);
        let pad = (p.area.width as usize)
            .saturating_sub(label.chars().count() + extra.chars().count() + 2);
        p.line(Line::from(vec![
            Span::styled(if sel { "▶ " } else { "  " }, style),
            Span::styled(label, style),
            Span::styled(" ".repeat(pad), style),
            Span::styled(extra, if sel { t.selected } else { t.muted }),
        ]));
    }
}

fn card(
    p: &mut Page,
    lib: &Library,
    deck: &Deck,
    s: &Session,
    now: SystemTime,
    t: &Theme,
    keys: &Keymap,
) {
    let Some(ci) = s.card() else { return };
    let Some(text) = deck.cards[ci].text(lib) else {
        p.text(
            &format!(
                "This card is no longer in the pack: {} skips it.",
                keys.key_for(Context::Quiz, &Action::Skip)
            ),
            t.warn,
        );
        return;
    };
    // The top of the card (trial, role, question, key points) comes from the same builder
    // that hit-tests clicks on the key points.
    let top = crate::tui::lines::quiz::card_top(lib, deck, s, p.area.width, t, keys);
    for l in top.lines {
        p.line(l);
    }
    match s.face {
        Face::Front { .. } => {}
        Face::Back => {
            // The grade row is pinned to the bottom; the answer fills what is between.
            let grade_y = p.bottom().saturating_sub(2);
            let mut lines = Vec::new();
            lines.extend(wrap(
                vec![Span::styled("Answer".to_string(), t.heading)],
                p.area.width as usize,
                0,
            ));
            // A fact card's answer is several lines: keep them apart.
            for para in text.answer.split('\n') {
                lines.extend(wrap(
                    vec![Span::styled(para.to_string(), t.base)],
                    p.area.width as usize,
                    0,
                ));
            }
            // Caveats the answer already states are not repeated.
            for cv in text
                .caveats
                .iter()
                .filter(|c| !text.answer.contains(c.as_str()))
            {
                lines.extend(wrap(
                    vec![Span::styled("⚠ ", t.warn), Span::styled(cv.clone(), t.warn)],
                    p.area.width as usize,
                    2,
                ));
            }
            let room = grade_y.saturating_sub(p.y + 1) as usize;
            let top = s.scroll.min(lines.len().saturating_sub(room.max(1)));
            let more = top + room < lines.len();
            for l in lines.into_iter().skip(top).take(room) {
                p.line(l);
            }
            if more && room > 0 {
                p.line(Line::from(Span::styled(
                    format!(
                        "  … {} reads on",
                        keys.key_for(Context::Quiz, &Action::PageDown)
                    ),
                    t.muted,
                )));
            }
            p.y = grade_y.max(p.y);
            let suggested = Quiz::suggested(deck, lib, s);
            grades(
                p,
                &deck.scheduler,
                deck.states[ci].as_ref(),
                suggested,
                now,
                t,
                keys,
            );
        }
    }
}

fn grades(
    p: &mut Page,
    sched: &Scheduler,
    state: Option<&crate::review::CardState>,
    suggested: Grade,
    now: SystemTime,
    t: &Theme,
    keys: &Keymap,
) {
    let preview = sched.preview(state, crate::tui::app::quiz::unix(now));
    // On narrow screens, the short form keeps the four grades on one line.
    let short = p.area.width < 90;
    let mut spans = vec![Span::styled(if short { "" } else { "Grade: " }, t.heading)];
    let enter = keys.key_for(Context::Quiz, &Action::Open);
    for g in Grade::ALL {
        let key = keys.key_for(Context::Quiz, &Action::Grade(g.value()));
        let sel = g == suggested;
        let style = if sel { t.selected } else { t.base };
        let days = preview[g as usize - 1].interval_days;
        spans.push(Span::styled(format!(" {key} "), t.key));
        spans.push(Span::styled(
            if short {
                format!(
                    " {} {}{} ",
                    g.label(),
                    short_interval(days),
                    if sel { " ◀" } else { "" }
                )
            } else {
                format!(
                    " {} ({}){} ",
                    g.label(),
                    interval(days),
                    if sel {
                        format!(" ◀ {enter}")
                    } else {
                        String::new()
                    }
                )
            },
            style,
        ));
        spans.push(Span::raw(" "));
    }
    p.spans(spans, 7);
}

fn done(p: &mut Page, s: &SessionSummary, t: &Theme, keys: &Keymap) {
    let k = |a: Action| keys.key_for(Context::Quiz, &a);
    p.text("Session summary", t.heading);
    p.gap(1);
    let mins = s.time_ms / 60_000;
    let secs = (s.time_ms / 1000) % 60;
    p.text(
        &format!(
            "{} · {mins} min {secs:02} s · Again {} · Hard {} · Good {} · Easy {}",
            crate::format::count(s.seen as usize, "card graded", "cards graded"),
            s.grades[0],
            s.grades[1],
            s.grades[2],
            s.grades[3]
        ),
        t.base,
    );
    if let Some(d) = s.next_due {
        let date = crate::review::stats::date_string(crate::review::stats::day_of(d, 0));
        p.text(&format!("Next due: {date}"), t.muted);
    }
    p.gap(1);
    let table = |p: &mut Page, title: &str, rows: &[crate::review::stats::Recall]| {
        if rows.is_empty() {
            return;
        }
        p.text(title, t.heading);
        for r in rows {
            let pct = (r.rate * 100.0).round() as u32;
            let bar = "█".repeat((pct / 5) as usize);
            p.line(Line::from(vec![
                Span::styled(format!("  {:<22} ", truncate(&r.label, 22)), t.base),
                Span::styled(format!("{pct:>3}% "), t.accent),
                Span::styled(bar, t.plot_point),
                Span::styled(
                    format!("  {} of {} points", r.points_ticked, r.points_total),
                    t.muted,
                ),
            ]));
        }
        p.gap(1);
    };
    table(p, "Key-point recall by role", &s.recall_by_role);
    table(p, "Key-point recall by trial", &s.recall_by_trial);
    match (&s.weakest_role, &s.weakest_trial) {
        (None, None) => p.text("Every card recalled in full.", t.good),
        (r, tr) => p.text(
            &format!(
                "Weakest: {}{}",
                r.as_deref().unwrap_or("—"),
                tr.as_deref().map(|x| format!(" · {x}")).unwrap_or_default()
            ),
            t.warn,
        ),
    };
    p.gap(1);
    if s.missed.is_empty() {
        p.text(
            &format!(
                "{} builds another session; {} goes back to browsing.",
                k(Action::Open),
                k(Action::Back)
            ),
            t.muted,
        );
    } else {
        p.text(
            &format!(
                "{} drills the {} you missed now · {} builds another session · {} goes back",
                k(Action::DrillMissed),
                crate::format::count(s.missed.len(), "card", "cards"),
                k(Action::Open),
                k(Action::Back)
            ),
            t.title,
        );
    }
}
