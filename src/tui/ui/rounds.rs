//! Teaching rounds on a shared screen: no list, no tabs; one centred column at a readable
//! measure, large type for the trial name and for the learner called on, generous spacing.

use super::forest::ForestPlot;
use super::page::Page;
use crate::content::{Entry, Figure, Library, Unit};
use crate::doc::{self, Block, Section};
use crate::tui::action::Action;
use crate::tui::app::{Rounds, Step};
use crate::tui::keymap::{Context, Keymap};
use crate::tui::lines::wrap::truncate;
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Paragraph, Widget};
use std::time::SystemTime;

/// The widest the text column gets: about 88 characters, readable from the back of a room.
pub const MEASURE: u16 = 88;

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
}

/// The centred text column of a screen area.
pub fn column(area: Rect) -> Rect {
    let w = MEASURE
        .min(area.width.saturating_sub(4))
        .max(area.width.min(20));
    Rect::new(area.x + (area.width - w) / 2, area.y, w, area.height)
}

impl Widget for &RoundsView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let r = self.rounds;
        let area = area.intersection(buf.area);
        ratatui::widgets::Block::new()
            .style(t.base)
            .render(area, buf);
        if r.blank {
            return;
        }
        let e = &self.lib.entries[r.entry];
        // Top line: the trial and where we are, the countdown at the right.
        let top = Rect::new(area.x, area.y, area.width, 1);
        let left = format!(" {} · teaching rounds", e.name);
        buf.set_string(
            top.x,
            top.y,
            truncate(&left, top.width as usize / 2),
            t.muted,
        );
        let mut right = String::new();
        if let Some(c) = r.counter() {
            right.push_str(&c);
        } else {
            right.push_str(match r.step() {
                Step::Title => "Title",
                Step::Evidence => "Evidence",
                Step::Question(_) => "",
            });
        }
        let timer_style;
        let left_t = r.timer.remaining(self.now);
        let timer = if r.timer.running() || left_t != r.timer.total {
            let secs = left_t.as_secs() + u64::from(left_t.subsec_nanos() > 0);
            timer_style = if left_t.is_zero() {
                t.warn
            } else if r.timer.running() {
                t.accent
            } else {
                t.muted
            };
            if left_t.is_zero() {
                " ⏱ time ".to_string()
            } else {
                format!(
                    " ⏱ {}:{:02}{} ",
                    secs / 60,
                    secs % 60,
                    if r.timer.running() { "" } else { " paused" }
                )
            }
        } else {
            timer_style = t.muted;
            String::new()
        };
        let rw = unicode_width::UnicodeWidthStr::width(right.as_str()) as u16 + 1;
        let tw = unicode_width::UnicodeWidthStr::width(timer.as_str()) as u16;
        let rx = area.x + area.width.saturating_sub(rw + tw);
        buf.set_string(rx, top.y, &right, t.heading);
        buf.set_string(rx + rw, top.y, &timer, timer_style);
        // Footer.
        let fy = area.y + area.height.saturating_sub(1);
        let line = super::footer_line(self.message, self.hints.clone(), area.width, t);
        Paragraph::new(line).render(Rect::new(area.x, fy, area.width, 1), buf);
        // Body, with presenter notes in the lower part when they are open.
        let body_h = area.height.saturating_sub(3);
        let (main_h, notes) = if r.notes {
            let nh = (body_h * 2 / 5).max(6).min(body_h);
            (
                body_h - nh,
                Some(Rect::new(area.x, area.y + 2 + body_h - nh, area.width, nh)),
            )
        } else {
            (body_h, None)
        };
        let main = column(Rect::new(area.x, area.y + 2, area.width, main_h));
        let mut p = Page::new(buf, main);
        match r.step() {
            Step::Title => title(&mut p, self.lib, r, t),
            Step::Evidence => evidence(&mut p, e, r, t),
            Step::Question(_) => question(&mut p, r, t, self.keys),
        }
        if let Some(n) = notes {
            presenter_notes(p.buf, n, r, t, self.keys);
        }
    }
}

fn title(p: &mut Page, lib: &Library, r: &Rounds, t: &Theme) {
    let e = &lib.entries[r.entry];
    p.gap(1);
    p.big(&e.name, t.title);
    p.gap(1);
    p.text(&e.title, t.title);
    p.gap(1);
    let meta = doc::meta_parts(e);
    if !meta.is_empty() {
        p.text(&meta.join(" · "), t.muted);
        p.gap(1);
    }
    if let Some(d) = &e.design {
        p.text(&crate::format::design_line(d), t.accent);
        p.gap(1);
        p.spans(
            vec![
                Span::styled("Population  ", t.heading),
                Span::styled(d.population.to_string(), t.base),
            ],
            12,
        );
        p.gap(1);
        let cmp = match &d.comparator {
            Some(c) => format!("{}  versus  {c}", d.intervention),
            None => format!("{} (single arm)", d.intervention),
        };
        p.spans(
            vec![
                Span::styled("Comparison  ", t.heading),
                Span::styled(cmp, t.base),
            ],
            12,
        );
    } else {
        p.text(&e.bottom_line, t.base);
    }
    p.gap(2);
    p.centred("→ next", t.muted);
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

fn evidence(p: &mut Page, e: &Entry, r: &Rounds, t: &Theme) {
    let heads = r.doc.key_results();
    p.centred("Evidence", t.heading);
    p.gap(1);
    if heads.is_empty() {
        p.text("No headline results are marked for this trial.", t.muted);
    }
    for h in heads {
        p.spans(
            vec![
                Span::styled("■ ", t.accent),
                Span::styled(h.clone(), t.base),
            ],
            2,
        );
        p.gap(1);
    }
    // The forest plot, where there are ratio estimates and room.
    if let Some(f) = r.doc.forest()
        && !f.rows.is_empty()
    {
        let plot = ForestPlot {
            rows: f.rows,
            favours: f.favours,
            theme: t,
        };
        let h = plot.height(p.area.width);
        if p.room() > h {
            (&plot).render(Rect::new(p.area.x, p.y, p.area.width, h), p.buf);
            p.y += h;
            p.gap(1);
        }
    }
    // A bar per arm for the key rates.
    let rates = rates(e);
    for (endpoint, vals) in rates {
        if p.room() < vals.len() as u16 + 2 {
            break;
        }
        p.text(&endpoint, t.heading);
        let lw = vals
            .iter()
            .map(|(a, _)| a.chars().count())
            .max()
            .unwrap_or(0)
            .min(28);
        let bar_w = (p.area.width as usize).saturating_sub(lw + 10);
        for (a, x) in vals {
            let n = ((x.value() / 100.0) * bar_w as f64).round() as usize;
            p.spans(
                vec![
                    Span::styled(format!("{:<lw$} ", truncate(&a, lw)), t.base),
                    Span::styled("█".repeat(n), t.plot_point),
                    Span::styled(
                        format!(" {}", crate::format::value_with_unit(x, &Unit::Percent)),
                        t.accent,
                    ),
                ],
                0,
            );
        }
        p.gap(1);
    }
}

fn question(p: &mut Page, r: &Rounds, t: &Theme, keys: &Keymap) {
    let Some(q) = r.question() else { return };
    p.gap(1);
    if let Some(name) = r.called() {
        p.big(name, t.warn);
        p.gap(1);
    }
    p.text(&q.prompt, t.title);
    p.gap(1);
    let shown = r.shown.min(q.key_points.len());
    if r.full() {
        // The full response first; the key points under it as far as the screen allows.
        p.text("Key response", t.heading);
        let whole = p.text(&q.key_response, t.base);
        if !whole {
            mark_cut(p, t);
            return;
        }
        p.gap(1);
        for k in &q.key_points {
            if !p.spans(
                vec![Span::styled("✓ ", t.good), Span::styled(k.clone(), t.base)],
                2,
            ) {
                mark_cut(p, t);
                return;
            }
        }
        return;
    }
    for k in q.key_points.iter().take(shown) {
        p.spans(
            vec![Span::styled("✓ ", t.good), Span::styled(k.clone(), t.base)],
            2,
        );
    }
    p.gap(1);
    let left = q.key_points.len() - shown;
    let reveal = keys.key_for(Context::Rounds, &Action::Reveal);
    let msg = if left > 0 {
        format!("{reveal} reveals the next key point ({left} to go), then the key response")
    } else {
        format!("{reveal} reveals the full key response")
    };
    p.text(&msg, t.muted);
}

/// Say that the text goes on beyond the screen (a bigger window or a smaller font shows it).
fn mark_cut(p: &mut Page, t: &Theme) {
    let y = p.bottom().saturating_sub(1);
    let msg = " … continues below the screen ";
    let w = msg.chars().count() as u16;
    let x = p.area.x + p.area.width.saturating_sub(w);
    p.buf.set_string(x, y, msg, t.warn);
}

fn presenter_notes(buf: &mut Buffer, area: Rect, r: &Rounds, t: &Theme, keys: &Keymap) {
    let block = ratatui::widgets::Block::bordered()
        .title(Span::styled(
            format!(
                " Presenter notes · {} closes ",
                keys.key_for(Context::Rounds, &Action::Notes)
            ),
            t.heading,
        ))
        .border_style(t.border);
    let inner = block.inner(area);
    block.render(area, buf);
    let col = column(inner);
    let mut p = Page::new(buf, col);
    let mut any = false;
    for b in r.doc.part(Section::Discrepancies) {
        if let Block::Notes(notes) = b {
            for n in notes {
                any = true;
                if !p.spans(
                    vec![
                        Span::styled("⚠ ", t.warn),
                        Span::styled(format!("{}: ", n.about), t.warn),
                        Span::styled(n.note.clone(), t.base),
                    ],
                    2,
                ) {
                    return;
                }
            }
        }
    }
    for i in r.doc.limitations() {
        any = true;
        if !p.spans(
            vec![
                Span::styled("• ", t.accent),
                Span::styled(i.clone(), t.base),
            ],
            2,
        ) {
            return;
        }
    }
    if !any {
        p.text("No discrepancies or limitations recorded.", t.muted);
    }
}
