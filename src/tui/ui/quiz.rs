//! Quiz mode: the session builder, a card (question, staged key points, answer, ticks and
//! grades with their next intervals), and the session summary.

use super::page::Page;
use crate::content::Library;
use crate::review::queue;
use crate::review::stats::SessionSummary;
use crate::review::{Grade, Scheduler};
use crate::tui::action::Action;
use crate::tui::app::{Builder, BuilderRow, Deck, Face, Idle, Quiz, Session};
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
            Quiz::Running(s) => {
                // Anki's counts: what is left of the session.
                let (new, learning, due) = s.counts(self.deck);
                format!(
                    "Quiz{} · New {new} · Learning {learning} · Due {due}",
                    if s.practice { " (practice)" } else { "" }
                )
            }
            Quiz::Idle(_) => "Quiz · nothing due".to_string(),
            Quiz::Done { .. } => "Quiz · session summary".to_string(),
        };
        let unsaved = self.quiz.session().map_or(0, Session::unsaved);
        let practice = self.quiz.session().is_some_and(|s| s.practice);
        let (saving, warn) = if unsaved > 0 {
            (
                format!(
                    "{} NOT saved · {} retries",
                    crate::format::count(unsaved, "grade", "grades"),
                    self.keys.key_for(Context::Quiz, &Action::Retry)
                ),
                true,
            )
        } else if practice {
            ("practice: the schedule is not touched".to_string(), false)
        } else if self.deck.saving {
            ("grades saved".to_string(), false)
        } else {
            (
                "not saving (--no-save or read-only history)".to_string(),
                true,
            )
        };
        buf.set_string(area.x, area.y, format!(" trialdeck · {title}"), t.title);
        let sw = saving.chars().count() as u16 + 1;
        buf.set_string(
            area.x + area.width.saturating_sub(sw),
            area.y,
            &saving,
            if warn { t.warn } else { t.muted },
        );
        let fy = area.y + area.height - 1;
        let line = super::footer_line(self.message, self.hints.clone(), area.width, t);
        Paragraph::new(line).render(Rect::new(area.x, fy, area.width, 1), buf);
        let body = crate::tui::layout::quiz_body((area.width, area.height));
        let mut p = Page::new(buf, body);
        match self.quiz {
            Quiz::Building(b) => builder(&mut p, self.lib, b, t, self.keys),
            Quiz::Running(s) if s.card().is_none() => {
                p.text("Saving the last grade…", t.muted);
            }
            Quiz::Running(s) => card(&mut p, self.lib, self.deck, s, self.now, t, self.keys),
            Quiz::Idle(i) => idle(&mut p, self.deck, i, self.now, t, self.keys),
            Quiz::Done {
                summary, session, ..
            } => done(&mut p, self.deck, summary, session, self.now, t, self.keys),
        }
    }
}

fn counts_text(c: &queue::Counts) -> String {
    format!(
        "{} due · {} new · {} total",
        c.due + c.learning,
        c.new,
        c.total
    )
}

/// A time as the learner reads it: `in 9 min` or `in 3 h` today, `tomorrow (date)`, or
/// `on date`.
fn when(deck: &Deck, at: i64, now: SystemTime) -> String {
    let today = deck.today(now);
    let left = (at - today.now).max(0);
    if today.day_of(at) <= today.day {
        if left < 3600 {
            format!("in {} min", (left + 59) / 60)
        } else {
            format!("in {} h", (left + 1800) / 3600)
        }
    } else if today.day_of(at) == today.day + 1 {
        format!(
            "tomorrow ({})",
            crate::review::stats::date_string(today.day_of(at))
        )
    } else {
        format!("on {}", crate::review::stats::date_string(today.day_of(at)))
    }
}

fn builder(p: &mut Page, lib: &Library, b: &Builder, t: &Theme, keys: &Keymap) {
    let f = &b.filter;
    let tl = &b.tally;
    // Anki's counts for the session this choice makes; they add up to its size.
    p.spans(
        vec![
            Span::styled("Session: ", t.heading),
            Span::styled(format!("New {}", tl.new), t.accent),
            Span::styled(" · ", t.muted),
            Span::styled(format!("Learning {}", tl.learning), t.warn),
            Span::styled(" · ", t.muted),
            Span::styled(format!("Due {}", tl.due), t.good),
            Span::styled(
                format!(" = {}", crate::format::count(tl.session, "card", "cards")),
                t.title,
            ),
        ],
        2,
    );
    p.text(
        &format!(
            "Today: {} of {} new cards and {} of {} reviews done · {} new in this choice",
            tl.limits.done.new,
            tl.limits.new_per_day,
            tl.limits.done.reviews,
            tl.limits.reviews_per_day,
            tl.all.new
        ),
        t.muted,
    );
    let k = |a: Action| keys.key_for(Context::Quiz, &a);
    p.text(
        &format!(
            "{}/{} move · {} toggles · {}/{} count · {} starts · {} practice",
            k(Action::Down),
            k(Action::Up),
            k(Action::Reveal),
            k(Action::PrevSection),
            k(Action::NextSection),
            k(Action::Open),
            k(Action::Practice)
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
            BuilderRow::OngoingFacts => (
                format!(
                    "{} fact cards of trials still ongoing in the sources",
                    mark(f.ongoing_facts && !f.no_facts)
                ),
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
    match s.face {
        Face::Front { .. } => {
            for l in top.lines {
                p.line(l);
            }
        }
        Face::Back => {
            // The grade row is pinned to the bottom; the card and its answer scroll above it
            // as one (PgDn/PgUp), so a long question never hides the answer.
            let grade_y = p.bottom().saturating_sub(2);
            let mut lines = top.lines;
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
            // One line kept for "reads on" and one for a suggestion above the grades.
            let room = grade_y.saturating_sub(p.y + 2) as usize;
            let first = s.scroll.min(lines.len().saturating_sub(room.max(1)));
            let more = first + room < lines.len();
            for l in lines.into_iter().skip(first).take(room) {
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
            grades(p, deck, ci, s, suggested, now, t, keys);
        }
    }
}

/// The grade row: each grade's key and the interval it gives, with the grade Space gives
/// marked; above it, a line when ticks suggest another grade (never applied unconfirmed).
#[allow(clippy::too_many_arguments)]
fn grades(
    p: &mut Page,
    deck: &Deck,
    ci: usize,
    s: &Session,
    suggested: Grade,
    now: SystemTime,
    t: &Theme,
    keys: &Keymap,
) {
    let sched: &Scheduler = &deck.scheduler;
    let preview = sched.preview(deck.states[ci].as_ref(), crate::tui::app::quiz::unix(now));
    let space = keys.key_for(Context::Quiz, &Action::Reveal);
    let enter = keys.key_for(Context::Quiz, &Action::Open);
    let span = keys.span_for(Context::Quiz, &Action::Grade(1), &Action::Grade(4));
    let ticked = s.ticked.count_ones();
    // What Space gives: Good, unless ticks suggest another grade (then it asks first).
    let (marked, mark, line) = match s.confirm {
        Some(g) => (
            g,
            format!("◀ {space}"),
            Some(format!(
                "{}, as your ticks suggest? {space}/{enter} confirms · {span} another grade",
                g.label()
            )),
        ),
        None if ticked > 0 && suggested != Grade::Good => (
            suggested,
            "◀ suggested".to_string(),
            Some(format!(
                "Ticks suggest {}: {space} asks to confirm it · {span} grade at once",
                suggested.label()
            )),
        ),
        None => (Grade::Good, format!("◀ {space}"), None),
    };
    if let Some(l) = line {
        p.y = p.y.saturating_sub(1);
        p.text(&l, t.warn);
    }
    // On narrow screens, the short form keeps the four grades on one line.
    let short = p.area.width < 90;
    let mut spans = vec![Span::styled(if short { "" } else { "Grade: " }, t.heading)];
    for g in Grade::ALL {
        let key = keys.key_for(Context::Quiz, &Action::Grade(g.value()));
        let sel = g == marked;
        let style = if sel { t.selected } else { t.base };
        let iv = preview[g as usize - 1].label();
        spans.push(Span::styled(format!(" {key} "), t.key));
        spans.push(Span::styled(
            if short {
                format!(" {} {iv}{} ", g.label(), if sel { " ◀" } else { "" })
            } else {
                format!(
                    " {} ({iv}){} ",
                    g.label(),
                    if sel {
                        format!(" {mark}")
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

/// When reviewed cards are next due ([`Deck::next_due_day`]), as the "nothing is due" screen
/// and a session's summary both say it.
fn next_due_phrase(deck: &Deck, next: Option<(i64, usize)>, now: SystemTime) -> String {
    match next {
        Some((at, n)) => format!(
            "Next: {} due {}.",
            crate::format::count(n, "card", "cards"),
            when(deck, at, now)
        ),
        None => "No reviewed card of this choice is due later.".into(),
    }
}

fn idle(p: &mut Page, deck: &Deck, i: &Idle, now: SystemTime, t: &Theme, keys: &Keymap) {
    let k = |a: Action| keys.key_for(Context::Quiz, &a);
    p.text("Nothing is due now.", t.heading);
    p.gap(1);
    let style = if i.next.is_some() { t.title } else { t.muted };
    p.text(&next_due_phrase(deck, i.next, now), style);
    if let Some(at) = i.learning_at {
        p.text(
            &format!("A card in learning comes back {}.", when(deck, at, now)),
            t.base,
        );
    }
    p.gap(1);
    if i.new_left > 0 {
        p.text(
            &format!(
                "{} studies new cards: {} left today (of {} in this choice).",
                k(Action::Open),
                i.new_left,
                i.new_available
            ),
            t.base,
        );
    } else if i.new_available > 0 {
        p.text(
            &format!(
                "Today's {} new cards are done ({} more in this choice wait for tomorrow).",
                deck.limits.new_per_day, i.new_available
            ),
            t.base,
        );
    }
    p.text(
        &format!(
            "{} starts a practice run: cards reviewed early, the schedule untouched.",
            k(Action::Practice)
        ),
        t.base,
    );
    p.text(&format!("{} leaves the quiz.", k(Action::Back)), t.muted);
}

fn done(
    p: &mut Page,
    deck: &Deck,
    s: &SessionSummary,
    session: &Session,
    now: SystemTime,
    t: &Theme,
    keys: &Keymap,
) {
    let k = |a: Action| keys.key_for(Context::Quiz, &a);
    p.text(
        if session.practice {
            "Practice run summary (the schedule was not touched)"
        } else {
            "Session summary"
        },
        t.heading,
    );
    p.gap(1);
    let mins = s.time_ms / 60_000;
    let secs = (s.time_ms / 1000) % 60;
    p.text(
        &format!(
            "{} · {} · {mins} min {secs:02} s · Again {} · Hard {} · Good {} · Easy {}",
            crate::format::count(s.seen as usize, "card", "cards"),
            crate::format::count(s.reviews as usize, "review", "reviews"),
            s.grades[0],
            s.grades[1],
            s.grades[2],
            s.grades[3]
        ),
        t.base,
    );
    let unsaved = session.unsaved();
    if unsaved > 0 {
        p.text(
            &format!(
                "{} NOT saved (not counted here): {} tries again.",
                crate::format::count(unsaved, "grade was", "grades were"),
                k(Action::Retry)
            ),
            t.warn,
        );
    }
    if let Some(&(_, at)) = session.waiting().iter().min_by_key(|(_, at)| *at) {
        p.text(
            &format!(
                "{} in learning: back {}.",
                crate::format::count(session.waiting().len(), "card", "cards"),
                when(deck, at, now)
            ),
            t.muted,
        );
    } else if !session.practice {
        // Over every card of the choice, not only this session's: the learner's next day.
        let next = deck.next_due_day(&session.filter, now);
        p.text(&next_due_phrase(deck, next, now), t.muted);
    }
    p.gap(1);
    // The groups recalled least first; at most `max` rows, the rest told in one line.
    let table = |p: &mut Page, title: &str, rows: &[crate::review::stats::Recall], max: usize| {
        if rows.is_empty() {
            return;
        }
        p.text(title, t.heading);
        let mut rows: Vec<&crate::review::stats::Recall> = rows.iter().collect();
        rows.sort_by(|a, b| a.rate.total_cmp(&b.rate));
        let shown = if rows.len() > max {
            max - 1
        } else {
            rows.len()
        };
        let rest = rows.len() - shown;
        for r in rows.iter().take(shown) {
            let pct = (r.rate * 100.0).round() as u32;
            let bar = "█".repeat((pct / 5) as usize);
            // With ticks, the key points; without, the grades.
            let how = if r.by_points == r.cards {
                format!("{} of {} points", r.points_ticked, r.points_total)
            } else if r.by_points == 0 {
                format!("{} of {} Good/Easy", r.good_easy, r.cards)
            } else {
                format!(
                    "{}/{} points, {} by grade",
                    r.points_ticked,
                    r.points_total,
                    r.cards - r.by_points
                )
            };
            p.line(Line::from(vec![
                Span::styled(format!("  {:<22} ", truncate(&r.label, 22)), t.base),
                Span::styled(format!("{pct:>3}% "), t.accent),
                Span::styled(bar, t.plot_point),
                Span::styled(format!("  {how}"), t.muted),
            ]));
        }
        if rest > 0 {
            p.text(
                &format!("  … and {rest} more, each at least as well recalled"),
                t.muted,
            );
        }
        p.gap(1);
    };
    // At 24 rows the summary keeps its last lines (weakest, what next) on screen.
    let max = if p.area.height < 30 { 4 } else { 10 };
    table(
        p,
        "Recall by role (key points where ticked, else grades)",
        &s.recall_by_role,
        7,
    );
    table(p, "Recall by trial", &s.recall_by_trial, max);
    match (&s.weakest_role, &s.weakest_trial) {
        (None, None) if s.seen > 0 => p.text("Nothing stood out as weak.", t.good),
        (None, None) => p.text("No grades in this session.", t.muted),
        (r, tr) => p.text(
            &format!(
                "Weakest: {}",
                [r.as_deref(), tr.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" · ")
            ),
            t.warn,
        ),
    };
    p.gap(1);
    if s.missed.is_empty() {
        p.text(
            &format!(
                "{} builds another session · {} practice run · {} goes back.",
                k(Action::Open),
                k(Action::Practice),
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
