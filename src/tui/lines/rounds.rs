//! Teaching rounds laid out at a size: where the room's card, clock and notes go, and the
//! presenter's panes ([`room`], [`presenter`]); the card on screen as rows ([`card`]); the
//! notes, this question's first ([`notes`]); the presenter's answer pane ([`answer`]).
//! `update` measures these to bound scrolling; the views draw the same rows, so a "more"
//! mark is drawn exactly when something is cut.

use super::Look;
use super::big::{self, Size};
use super::question::{QuestionCard, Reveal};
use super::wrap::{truncate, wrap};
use crate::content::{Entry, Figure, Library, Unit};
use crate::doc::{self, Block, NoteItem, QuestionItem, Section};
use crate::tui::action::Action;
use crate::tui::app::rounds::{Rounds, Step};
use crate::tui::keymap::Context;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use std::collections::BTreeSet;
use std::time::SystemTime;

/// The widest ordinary text gets on the room's screen: readable from the back of a room.
pub const MEASURE: u16 = 88;
/// The widest a question set in ordinary type gets (a wide measure for the one thing on screen).
pub const WIDE: u16 = 132;

/// The centred text column of a screen area (the notes panel's).
pub fn column(area: Rect) -> Rect {
    let w = MEASURE
        .min(area.width.saturating_sub(4))
        .max(area.width.min(20));
    Rect::new(area.x + (area.width - w) / 2, area.y, w, area.height)
}

/// Where the room's screen puts things.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoomAreas {
    pub top: Rect,
    /// The large countdown (when shown).
    pub clock: Option<Rect>,
    /// The card (title, evidence or question), scrolled with J/K.
    pub card: Rect,
    /// The notes panel (one screen, notes on), bordered.
    pub notes: Option<Rect>,
    pub footer: Rect,
}

/// The countdown as the clock shows it: "1:05".
pub fn clock_text(r: &Rounds, now: SystemTime) -> String {
    let left = r.timer.remaining(now);
    let secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
    format!("{}:{:02}", secs / 60, secs % 60)
}

/// The clock's block-type size at a screen width.
pub fn clock_size(width: u16) -> Size {
    if width >= 120 {
        Size::Large
    } else {
        Size::Small
    }
}

pub fn room(size: (u16, u16), r: &Rounds, now: SystemTime) -> RoomAreas {
    let (w, h) = size;
    let top = Rect::new(0, 0, w, 1.min(h));
    let footer = Rect::new(0, h.saturating_sub(1), w, 1.min(h));
    let body = Rect::new(0, 2.min(h), w, h.saturating_sub(3));
    let (main, notes) = if r.notes_on_room() && body.height >= 8 {
        let nh = (body.height * 2 / 5).max(6).min(body.height);
        (
            Rect::new(0, body.y, w, body.height - nh),
            Some(Rect::new(0, body.y + body.height - nh, w, nh)),
        )
    } else {
        (body, None)
    };
    // The card's last row is kept free for its "↓ more" mark.
    let mut card = Rect::new(
        2.min(w),
        main.y,
        w.saturating_sub(4),
        main.height.saturating_sub(1),
    );
    let clock = (r.timer.shown() && !r.time_up(now) && main.height >= 12).then(|| {
        let size = clock_size(w);
        let cw = big::width("00:00", size).unwrap_or(20).min(w);
        Rect::new(w.saturating_sub(cw + 2), main.y, cw, big::ROWS + 1)
    });
    if let Some(c) = clock {
        // The card goes below the clock where they would overlap.
        let measure = card_measure(r, card.width);
        let left = card.x + (card.width - measure) / 2;
        if left + measure > c.x {
            card.y += c.height + 1;
            card.height = card.height.saturating_sub(c.height + 1);
        }
    }
    RoomAreas {
        top,
        clock,
        card,
        notes,
        footer,
    }
}

/// The text measure of the card on screen in a card area `width` wide.
fn card_measure(r: &Rounds, width: u16) -> u16 {
    match r.step() {
        Step::Question(_) => WIDE.min(width),
        _ => MEASURE.min(width),
    }
}

/// A row of a card: a line, or row `i` of the forest plot (drawn at column `x`, `w` wide).
#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    Line(Line<'static>),
    Plot { i: u16, x: u16, w: u16 },
}

/// The card on screen as rows at `width`; `centre` when it should sit in the middle of the
/// screen's height if it fits.
pub struct Card {
    pub rows: Vec<Row>,
    pub centre: bool,
}

fn pad(n: u16) -> Span<'static> {
    Span::raw(" ".repeat(n as usize))
}

/// Lines of `spans` wrapped at `measure`, centred in `width`.
fn block(spans: Vec<Span<'static>>, measure: u16, width: u16, indent: usize) -> Vec<Row> {
    set_centred(wrap(spans, measure.max(1) as usize, indent), measure, width)
}

/// Lines at most `measure` wide, set as one column centred in `width`.
fn set_centred(lines: Vec<Line<'static>>, measure: u16, width: u16) -> Vec<Row> {
    let left = width.saturating_sub(measure) / 2;
    lines
        .into_iter()
        .map(|l| {
            let mut s = vec![pad(left)];
            s.extend(l.spans);
            Row::Line(Line::from(s))
        })
        .collect()
}

fn centred(text: &str, style: Style, width: u16) -> Row {
    let t = truncate(text, width as usize);
    let w = unicode_width::UnicodeWidthStr::width(t.as_str()) as u16;
    Row::Line(Line::from(vec![
        pad(width.saturating_sub(w) / 2),
        Span::styled(t, style),
    ]))
}

fn blank() -> Row {
    Row::Line(Line::default())
}

/// `text` in block type at `size`, wrapped and centred at `width` (a blank row between
/// lines), or `None` when it cannot be set so.
fn big_rows(text: &str, size: Size, style: Style, width: u16) -> Option<Vec<Row>> {
    let lines = big::wrap(text, size, width)?;
    let mut out = Vec::new();
    for (n, l) in lines.iter().enumerate() {
        if n > 0 {
            out.push(blank());
        }
        for row in big::rows(l, size)? {
            out.push(centred(&row, style, width));
        }
    }
    Some(out)
}

/// A name (the trial, a learner) as large as fits one line, else plain and centred.
fn name_rows(text: &str, style: Style, width: u16) -> Vec<Row> {
    match big::fit(text, width) {
        Some(size) => big_rows(text, size, style, width).unwrap_or_default(),
        None => vec![centred(text, style, width)],
    }
}

pub fn card(lib: &Library, r: &Rounds, width: u16, height: u16, look: Look) -> Card {
    let e = &lib.entries[r.entry];
    match r.step() {
        Step::Title => Card {
            rows: title(lib, r, width, look),
            centre: true,
        },
        Step::Evidence => Card {
            rows: evidence(e, r, width, look),
            centre: false,
        },
        Step::Question(_) => Card {
            rows: question(r, width, height, look),
            centre: true,
        },
    }
}

fn title(lib: &Library, r: &Rounds, width: u16, look: Look) -> Vec<Row> {
    let t = look.theme;
    let e = &lib.entries[r.entry];
    let m = MEASURE.min(width);
    let mut rows = name_rows(&e.name, t.title, width);
    rows.push(blank());
    rows.extend(block(
        vec![Span::styled(e.title.to_string(), t.title)],
        m,
        width,
        0,
    ));
    rows.push(blank());
    let meta = doc::meta_parts(e);
    if !meta.is_empty() {
        rows.extend(block(
            vec![Span::styled(meta.join(" · "), t.muted)],
            m,
            width,
            0,
        ));
        rows.push(blank());
    }
    if let Some(d) = &e.design {
        let design = crate::format::design_line(d);
        rows.extend(block(vec![Span::styled(design, t.accent)], m, width, 0));
        rows.push(blank());
        rows.extend(block(
            vec![
                Span::styled("Population  ", t.heading),
                Span::styled(d.population.to_string(), t.base),
            ],
            m,
            width,
            12,
        ));
        rows.push(blank());
        let cmp = match &d.comparator {
            Some(c) => format!("{}  versus  {c}", d.intervention),
            None => format!("{} (single arm)", d.intervention),
        };
        rows.extend(block(
            vec![
                Span::styled("Comparison  ", t.heading),
                Span::styled(cmp, t.base),
            ],
            m,
            width,
            12,
        ));
    } else {
        rows.extend(block(
            vec![Span::styled(e.bottom_line.to_string(), t.base)],
            m,
            width,
            0,
        ));
    }
    // What has happened since the sources: the room reads the trial as of today's practice.
    if let Some(later) = e.later_evidence.as_ref().filter(|l| !l.is_empty()) {
        rows.push(blank());
        rows.extend(block(
            vec![
                Span::styled("Since then  ", t.heading),
                Span::styled(later.to_string(), t.base),
            ],
            m,
            width,
            12,
        ));
    }
    rows.push(blank());
    rows.push(centred(
        &format!("{} next", look.keys.key_for(Context::Rounds, &Action::Down)),
        t.muted,
        width,
    ));
    rows
}

/// Per-arm percentages worth a bar: findings first (headline first, no subgroups), then
/// safety rates.
fn rates(e: &Entry) -> Vec<(String, Vec<(String, Figure)>)> {
    let per_arm = |values: &[crate::content::ArmValue]| -> Vec<(String, Figure)> {
        values
            .iter()
            .filter(|v| v.unit == Unit::Percent)
            .filter_map(|v| v.value.map(|x| (doc::value_label(e, v), x)))
            .collect()
    };
    let findings = e
        .headlines()
        .chain(e.findings.iter().filter(|f| !f.headline))
        .filter(|f| !matches!(f.analysis, crate::content::Analysis::Subgroup(_)))
        .map(|f| (f.endpoint.to_string(), per_arm(&f.values)));
    let safety = e
        .safety
        .iter()
        .map(|s| (doc::safety_event(s), per_arm(&s.values)));
    findings
        .chain(safety)
        .filter(|(_, v)| v.len() >= 2)
        .collect()
}

fn evidence(e: &Entry, r: &Rounds, width: u16, look: Look) -> Vec<Row> {
    let t = look.theme;
    let m = MEASURE.min(width);
    let left = width.saturating_sub(m) / 2;
    let heads: Vec<String> = r
        .doc
        .part(Section::Overview)
        .iter()
        .skip_while(|b| !matches!(b, Block::Heading(h) if h == "Key results"))
        .nth(1)
        .map(|b| match b {
            Block::Bullets(items) => items.clone(),
            _ => Vec::new(),
        })
        .unwrap_or_default();
    let mut rows = vec![centred("Evidence", t.heading, width), blank()];
    if heads.is_empty() {
        rows.extend(block(
            vec![Span::styled(
                "No headline results are marked for this trial.",
                t.muted,
            )],
            m,
            width,
            0,
        ));
    }
    for h in &heads {
        rows.extend(block(
            vec![
                Span::styled("■ ", t.accent),
                Span::styled(h.clone(), t.base),
            ],
            m,
            width,
            2,
        ));
        rows.push(blank());
    }
    // The forest plot, where there are ratio estimates.
    if let Some(Block::Forest { rows: plot, .. }) = r
        .doc
        .part(Section::Forest)
        .iter()
        .find(|b| matches!(b, Block::Forest { .. }))
        && !plot.is_empty()
    {
        let h = crate::tui::layout::forest_height(plot.len(), m);
        rows.extend((0..h).map(|i| Row::Plot { i, x: left, w: m }));
        rows.push(blank());
    }
    // A bar per arm for the key rates.
    for (endpoint, vals) in rates(e) {
        rows.extend(block(vec![Span::styled(endpoint, t.heading)], m, width, 0));
        let lw = vals
            .iter()
            .map(|(a, _)| a.chars().count())
            .max()
            .unwrap_or(0)
            .min(28);
        let bar_w = (m as usize).saturating_sub(lw + 10);
        for (a, x) in vals {
            let n = ((x.value() / 100.0) * bar_w as f64).round() as usize;
            rows.push(Row::Line(Line::from(vec![
                pad(left),
                Span::styled(format!("{:<lw$} ", truncate(&a, lw)), t.base),
                Span::styled("█".repeat(n), t.plot_point),
                Span::styled(
                    format!(" {}", crate::format::value_with_unit(x, &Unit::Percent)),
                    t.accent,
                ),
            ])));
        }
        rows.push(blank());
    }
    while rows.last() == Some(&blank()) {
        rows.pop();
    }
    rows
}

/// How much of the question's answer the room sees.
pub fn reveal_of(r: &Rounds, q: &QuestionItem) -> Reveal {
    if r.shown > q.key_points.len() {
        Reveal::Full
    } else if r.shown == 0 {
        Reveal::Hidden
    } else {
        Reveal::Points(r.shown)
    }
}

/// The line under the card saying what the reveal key shows next.
fn reveal_hint(r: &Rounds, q: &QuestionItem, look: Look) -> Option<String> {
    if r.shown > q.key_points.len() {
        return None;
    }
    let reveal = look.keys.key_for(Context::Rounds, &Action::Reveal);
    let left = q.key_points.len() - r.shown.min(q.key_points.len());
    Some(if left > 0 {
        format!("{reveal} reveals the next key point ({left} to go), then the key response")
    } else {
        format!("{reveal} reveals the full key response")
    })
}

/// The question as large as fits: the prompt in large block type, else small block type,
/// else ordinary type at a wide measure; the answer so far below it (the shared question
/// card), the learner called on above it.
fn question(r: &Rounds, width: u16, height: u16, look: Look) -> Vec<Row> {
    let t = look.theme;
    let Some(q) = r.question() else {
        return Vec::new();
    };
    let mut head = Vec::new();
    if let Some(name) = r.called() {
        head.extend(name_rows(name, t.warn, width));
        head.push(blank());
    }
    let wide = WIDE.min(width);
    let card = |with_prompt: bool| -> Vec<Row> {
        let c = QuestionCard {
            header: Vec::new(),
            prompt: if with_prompt { &q.prompt } else { "" },
            key_points: &q.key_points,
            key_response: &q.key_response,
            relies_on: &q.relies_on,
            reveal: reveal_of(r, q),
            ticks: None,
            with_response: true,
            hint: reveal_hint(r, q, look),
            ticks_heading: None,
            indent: 0,
            spaced: true,
        };
        let mut lines = c.lines(wide, t).lines;
        if !with_prompt {
            // The prompt is set above in block type: drop the card's empty prompt line.
            while lines.first().is_some_and(|l| l.width() == 0) {
                lines.remove(0);
            }
        }
        set_centred(lines, wide, width)
    };
    let big_width = width.saturating_sub(4);
    for size in [Size::Large, Size::Small] {
        if let Some(prompt) = big_rows(&q.prompt, size, t.title, big_width) {
            let rest = card(false);
            let total = head.len() + prompt.len() + 1 + rest.len();
            if total <= height as usize {
                let left = (width - big_width) / 2;
                let mut rows = head;
                rows.extend(prompt.into_iter().map(|row| match row {
                    Row::Line(l) => {
                        let mut s = vec![pad(left)];
                        s.extend(l.spans);
                        Row::Line(Line::from(s))
                    }
                    p => p,
                }));
                rows.push(blank());
                rows.extend(rest);
                return rows;
            }
        }
    }
    let mut rows = head;
    rows.extend(card(true));
    rows
}

// ---------------------------------------------------------------------------------------------
// Notes

/// Words that carry meaning (for matching notes to a question): lower case, four letters or
/// more, a plural's `s` dropped, common words left out.
fn words(s: &str) -> BTreeSet<String> {
    const COMMON: &[&str] = &[
        "about", "after", "also", "arm", "arms", "because", "been", "before", "both", "could",
        "does", "each", "from", "have", "into", "more", "most", "only", "other", "over", "patient",
        "result", "same", "says", "should", "some", "such", "than", "that", "their", "them",
        "then", "there", "these", "they", "this", "those", "through", "trial", "under", "were",
        "what", "when", "where", "which", "while", "with", "without", "would", "your", "emilia",
        "source", "summary", "review", "month", "versus",
    ];
    s.split(|c: char| !c.is_alphanumeric() && c != '-')
        .map(|w| w.trim_matches('-').to_lowercase())
        .map(|w| match w.strip_suffix('s') {
            Some(stem) if stem.len() >= 4 && !stem.ends_with('s') => stem.to_string(),
            _ => w,
        })
        .filter(|w| w.chars().count() >= 4 && !COMMON.contains(&w.as_str()))
        .collect()
}

/// The trial's notes: its discrepancy notes and its limitations.
fn trial_notes(r: &Rounds) -> (Vec<&NoteItem>, Vec<&String>) {
    let mut discrepancies = Vec::new();
    for b in r.doc.part(Section::Discrepancies) {
        if let Block::Notes(ns) = b {
            discrepancies.extend(ns.iter());
        }
    }
    let mut limitations = Vec::new();
    let mut in_limits = false;
    for b in r.doc.part(Section::Appraisal) {
        match b {
            Block::Heading(h) => in_limits = h == "Limitations",
            Block::Bullets(items) if in_limits => limitations.extend(items.iter()),
            _ => {}
        }
    }
    (discrepancies, limitations)
}

/// Which of the trial's notes bear on question `q`: a discrepancy about a finding the
/// question relies on, or whose subject and versions share two or more meaningful words with
/// the question's prompt and key points; a limitation sharing two such words. Returns the indexes of the discrepancies and of the limitations.
pub fn bearing(r: &Rounds, q: &QuestionItem) -> (Vec<usize>, Vec<usize>) {
    let question_text = |q: &QuestionItem| {
        let mut t = q.prompt.clone();
        for k in &q.key_points {
            t.push(' ');
            t.push_str(k);
        }
        t
    };
    // What a discrepancy is about and what the sources say (its commentary ranges wide).
    let note_text = |n: &NoteItem| {
        let said: Vec<&str> = n.versions.iter().map(|(says, _)| says.as_str()).collect();
        format!("{} {}", n.about, said.join(" "))
    };
    let (ds, ls) = trial_notes(r);
    let texts: Vec<BTreeSet<String>> = r
        .doc
        .questions()
        .into_iter()
        .map(|q| words(&question_text(q)))
        .chain(ds.iter().map(|n| words(&note_text(n))))
        .chain(ls.iter().map(|l| words(l)))
        .collect();
    // Words in more than a quarter of the trial's questions and notes say nothing about
    // which note goes with which question (the drugs' names, "survival").
    let common = |w: &String| texts.iter().filter(|t| t.contains(w)).count() * 4 > texts.len();
    let qw: BTreeSet<String> = words(&question_text(q))
        .into_iter()
        .filter(|w| !common(w))
        .collect();
    let shares = |s: &str| words(s).intersection(&qw).count() >= 2;
    let d = ds
        .iter()
        .enumerate()
        .filter(|(_, n)| {
            n.findings.iter().any(|f| q.relies_on.contains(f)) || shares(&note_text(n))
        })
        .map(|(i, _)| i)
        .collect();
    let l = ls
        .iter()
        .enumerate()
        .filter(|(_, s)| shares(s))
        .map(|(i, _)| i)
        .collect();
    (d, l)
}

/// The notes at `width`: on a question, those that bear on it first, then the rest of the
/// trial's; each discrepancy (⚠) and limitation (•) once.
pub fn notes(r: &Rounds, width: u16, look: Look) -> Vec<Line<'static>> {
    let t = look.theme;
    let w = width.max(1) as usize;
    let (ds, ls) = trial_notes(r);
    let (bd, bl) = match r.question() {
        Some(q) => bearing(r, q),
        None => (Vec::new(), Vec::new()),
    };
    let mut out = Vec::new();
    let note = |n: &NoteItem| {
        wrap(
            vec![
                Span::styled("⚠ ", t.warn),
                Span::styled(format!("{}: ", n.about), t.warn),
                Span::styled(n.note.clone(), t.base),
            ],
            w,
            2,
        )
    };
    let limit = |s: &String| {
        wrap(
            vec![
                Span::styled("• ", t.accent),
                Span::styled(s.clone(), t.base),
            ],
            w,
            2,
        )
    };
    if ds.is_empty() && ls.is_empty() {
        out.push(Line::styled(
            "No discrepancies or limitations recorded.",
            t.muted,
        ));
        return out;
    }
    let here = !bd.is_empty() || !bl.is_empty();
    if let Some(c) = r.counter().filter(|_| here) {
        out.push(Line::styled(format!("This question ({c})"), t.heading));
        for &i in &bd {
            out.extend(note(ds[i]));
        }
        for &i in &bl {
            out.extend(limit(ls[i]));
        }
        out.push(Line::default());
        out.push(Line::styled("The rest of the trial's notes", t.heading));
    } else if r.question().is_some() {
        out.push(Line::styled(
            "Nothing bears on this question in particular; the trial's notes",
            t.heading,
        ));
    } else {
        out.push(Line::styled("The trial's notes", t.heading));
    }
    for (i, n) in ds.iter().enumerate() {
        if !bd.contains(&i) {
            out.extend(note(n));
        }
    }
    for (i, s) in ls.iter().enumerate() {
        if !bl.contains(&i) {
            out.extend(limit(s));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The presenter's screen

/// Where the presenter's screen puts things.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PresenterAreas {
    pub top: Rect,
    /// What the room sees, drawn small (bordered).
    pub room: Rect,
    /// The clock: countdown, round and card time (bordered).
    pub clock: Rect,
    /// The next question (bordered).
    pub next: Rect,
    /// The learners and who was called (bordered; may be empty).
    pub learners: Rect,
    /// The key response, every key point, the notes (bordered), scrolled with [ and ].
    pub answer: Rect,
    pub footer: Rect,
}

pub fn presenter(size: (u16, u16)) -> PresenterAreas {
    let (w, h) = size;
    let top = Rect::new(0, 0, w, 1.min(h));
    let footer = Rect::new(0, h.saturating_sub(1), w, 1.min(h));
    let body = Rect::new(0, 1.min(h), w, h.saturating_sub(2));
    if w < 90 {
        // One column: the room small, the clock, then the answer.
        let rh = (body.height / 3).clamp(3, 10).min(body.height);
        let ch = 3.min(body.height - rh);
        let room = Rect::new(0, body.y, w, rh);
        let clock = Rect::new(0, body.y + rh, w, ch);
        let rest = body.height - rh - ch;
        let answer = Rect::new(0, body.y + rh + ch, w, rest);
        let none = Rect::new(0, body.y + body.height, w, 0);
        return PresenterAreas {
            top,
            room,
            clock,
            next: none,
            learners: none,
            answer,
            footer,
        };
    }
    let lw = (w * 9 / 20).clamp(40, 80);
    let left = Rect::new(0, body.y, lw, body.height);
    let answer = Rect::new(lw, body.y, w - lw, body.height);
    let rh = (left.height * 2 / 5).clamp(6, 18).min(left.height);
    let ch = 4.min(left.height - rh);
    let nh = ((left.height - rh - ch) / 2).clamp(0, 8);
    let room = Rect::new(0, left.y, lw, rh);
    let clock = Rect::new(0, left.y + rh, lw, ch);
    let next = Rect::new(0, left.y + rh + ch, lw, nh);
    let learners = Rect::new(0, left.y + rh + ch + nh, lw, left.height - rh - ch - nh);
    PresenterAreas {
        top,
        room,
        clock,
        next,
        learners,
        answer,
        footer,
    }
}

/// Inside a bordered pane.
pub fn inner(r: Rect) -> Rect {
    crate::tui::layout::inner(r)
}

/// The presenter's answer pane at `width`: what the room sees of the answer, the key
/// response and every key point (✓ those shown to the room), then the notes.
pub fn answer(r: &Rounds, width: u16, look: Look) -> Vec<Line<'static>> {
    let t = look.theme;
    let mut out = Vec::new();
    if let Some(q) = r.question() {
        let n = q.key_points.len();
        let points = r.shown.min(n);
        let seen = if r.full() {
            "the room sees the key response and every key point".to_string()
        } else if points == 0 {
            format!("the room sees the question only ({n} key points to reveal)")
        } else {
            format!("the room sees {points} of {n} key points; the key response is hidden")
        };
        out.push(Line::styled(seen, t.accent));
        out.push(Line::default());
        let ticks = if points >= 64 {
            u64::MAX
        } else {
            (1u64 << points) - 1
        };
        let card = QuestionCard {
            header: Vec::new(),
            prompt: "",
            key_points: &q.key_points,
            key_response: &q.key_response,
            relies_on: &q.relies_on,
            reveal: Reveal::Full,
            ticks: Some(ticks),
            with_response: true,
            hint: None,
            ticks_heading: Some("Key points ([✓] the room has seen it)".into()),
            indent: 0,
            spaced: true,
        };
        let mut lines = card.lines(width, t).lines;
        while lines.first().is_some_and(|l| l.width() == 0) {
            lines.remove(0);
        }
        out.extend(lines);
        out.push(Line::default());
    } else {
        out.push(Line::styled(
            match r.step() {
                Step::Title => "the room sees the title card",
                _ => "the room sees the evidence card",
            },
            t.accent,
        ));
        out.push(Line::default());
    }
    out.push(Line::styled("Notes", t.title));
    out.extend(notes(r, width, look));
    out
}
