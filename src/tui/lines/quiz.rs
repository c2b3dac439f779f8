//! A quiz card's top as lines at a width: the trial, the role and counter, the question, and
//! the key points (shown so far on the front; tickable on the back), with the line range of
//! each tickable point. The quiz view draws these lines and `update` hit-tests clicks with
//! them, so a click on a point always ticks the point drawn there.

use crate::content::Library;
use crate::tui::action::Action;
use crate::tui::app::quiz::{Deck, Face, Session};
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
    // The trial's name only: nothing of the card's answer (a design card asks for the design).
    lines.push(Line::from(Span::styled(truncate(&text.header, w), t.muted)));
    let kind = if c.is_fact() { " · fact card" } else { "" };
    let state = deck.kind_of(ci);
    let state_style = match state {
        "new" => t.accent,
        "review" => t.good,
        _ => t.warn,
    };
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
                    &Action::TickPoint(n.clamp(1, 6) as u8)
                )
            )),
        ),
    };
    let card = QuestionCard {
        header: vec![
            Span::styled(format!("{}{kind} · ", c.role.label()), t.heading),
            Span::styled(state.to_string(), state_style),
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
    let mut card = card;
    // Each tickable point is labelled with the key that ticks it (the keymap's, so a
    // rebinding shows): the shared card numbers them.
    if ticks.is_some() {
        for (i, r) in card.points.iter().enumerate() {
            let key = if i < 9 {
                keys.key_for(Context::Quiz, &Action::TickPoint(i as u8 + 1))
            } else {
                "·".to_string()
            };
            let key = if key == "(unbound)" {
                "·".to_string()
            } else {
                key
            };
            if let Some(first) = card
                .lines
                .get_mut(r.start)
                .and_then(|l| l.spans.first_mut())
            {
                let text = first.content.replacen(&(i + 1).to_string(), &key, 1);
                *first = Span::styled(text, first.style);
            }
        }
    }
    lines.extend(card.lines);
    lines.push(Line::default());
    points.extend(card.points.into_iter().map(|r| r.start + at..r.end + at));
    CardTop { lines, points }
}
