//! A quiz card's top as lines at a width: the trial, the role and counter, the question, and
//! the key points (shown so far on the front; tickable on the back), with the line range of
//! each tickable point. The quiz view draws these lines and `update` hit-tests clicks with
//! them, so a click on a point always ticks the point drawn there.

use crate::content::Library;
use crate::tui::action::Action;
use crate::tui::app::{Deck, Face, Session};
use crate::tui::keymap::{Context, Keymap};
use crate::tui::lines::question::{QuestionCard, Reveal};
use crate::tui::lines::wrap::truncate;
use crate::tui::theme::Theme;
use ratatui::text::{Line, Span};

/// The top of a quiz card as lines at a width: the trial in one line, the role and counter,
/// the question, and the key points (shown so far on the front; tickable on the back), with
/// the line range of each tickable point. The view draws these lines and `update` hit-tests
/// clicks with them, so a click on a point always ticks the point drawn there.
pub struct CardTop {
    pub lines: Vec<ratatui::text::Line<'static>>,
    pub points: Vec<std::ops::Range<usize>>,
}

pub fn card_top(
    lib: &Library,
    deck: &Deck,
    s: &Session,
    width: u16,
    t: &Theme,
    keys: &Keymap,
) -> CardTop {
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut points = Vec::new();
    let w = width as usize;
    let Some(ci) = s.card() else {
        return CardTop { lines, points };
    };
    let c = &deck.cards[ci];
    let Some(text) = c.text(lib) else {
        return CardTop { lines, points };
    };
    let e = &lib.entries[c.entry_index];
    let design = match &e.design {
        Some(d) => format!("{} · {}", e.name, crate::format::design_line(d)),
        None => e.name.to_string(),
    };
    lines.push(Line::from(Span::styled(truncate(&design, w), t.muted)));
    let kind = if c.is_fact() { " · fact card" } else { "" };
    let n = text.key_points.len();
    let reveal = keys.key_for(Context::Quiz, &Action::Reveal);
    let (shown, hint, ticks, heading) = match s.face {
        Face::Front { points: shown } => {
            let hint = if n > shown {
                format!(
                    "Recall your answer. {reveal} reveals it; {} shows key point {} of {n} first.",
                    keys.key_for(Context::Quiz, &Action::NextPoint),
                    shown + 1
                )
            } else {
                format!("Recall your answer. {reveal} reveals it.")
            };
            (Reveal::Points(shown), Some(hint), None, None)
        }
        Face::Back => (
            Reveal::Full,
            None,
            Some(s.ticked),
            Some(format!(
                "Key points — tick the ones you had ({} or click), then grade:",
                keys.span_for(
                    Context::Quiz,
                    &Action::TickPoint(1),
                    &Action::TickPoint(n.clamp(1, 9) as u8)
                )
            )),
        ),
    };
    let card = QuestionCard {
        header: vec![
            Span::styled(format!("{}{kind}", c.role.label()), t.heading),
            Span::styled(format!("   {} of {}", s.at + 1, s.queue.len()), t.muted),
        ],
        prompt: &text.prompt,
        key_points: &text.key_points,
        key_response: &text.answer,
        relies_on: &[],
        reveal: shown,
        ticks,
        // The quiz shows its answer under the card, with the data's caveats.
        with_response: false,
        hint,
        ticks_heading: heading,
        indent: 0,
        spaced: true,
    }
    .lines(width, t);
    let at = lines.len();
    lines.extend(card.lines);
    lines.push(Line::default());
    points.extend(card.points.into_iter().map(|r| r.start + at..r.end + at));
    CardTop { lines, points }
}
