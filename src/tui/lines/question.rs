//! A question as lines at a width: the one card the Discussion, the quiz and rounds draw. A
//! caller gives what heads it (the role, a counter), the question, and how much of the answer
//! shows; the card lays out the prompt, the key points (listed, or numbered and tickable),
//! the key response, and a hint line, and records where each key point landed, so a click
//! lands on the point drawn there.

use super::wrap::Doc;
use crate::tui::theme::Theme;
use ratatui::text::{Line, Span};
use std::ops::Range;

/// How much of the answer is showing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reveal {
    /// Nothing of the answer.
    Hidden,
    /// The first n key points (staged recall).
    Points(usize),
    /// The key response and every key point.
    Full,
}

/// A question and how it shows.
pub struct QuestionCard<'a> {
    /// The card's first line: the role, a counter, a selection marker…
    pub header: Vec<Span<'static>>,
    pub prompt: &'a str,
    pub key_points: &'a [String],
    pub key_response: &'a str,
    /// Endpoints of the findings the question relies on (shown with the full answer).
    pub relies_on: &'a [String],
    pub reveal: Reveal,
    /// The key points the learner ticked (bit i for point i): the points are numbered and
    /// tickable. `None`: a plain list.
    pub ticks: Option<u64>,
    /// Whether [`Reveal::Full`] includes the key response (the quiz shows its answer below,
    /// with the data's caveats, so its card stops at the points).
    pub with_response: bool,
    /// A line after what shows (how to reveal more).
    pub hint: Option<String>,
    /// The heading over tickable points.
    pub ticks_heading: Option<String>,
    /// Left margin of the body, in cells.
    pub indent: usize,
    /// A blank line between the parts (a card alone on a screen); none in a list of cards.
    pub spaced: bool,
}

/// The card's lines and the line range of each key point drawn.
pub struct CardLines {
    pub lines: Vec<Line<'static>>,
    pub points: Vec<Range<usize>>,
}

impl QuestionCard<'_> {
    pub fn lines(&self, width: u16, t: &Theme) -> CardLines {
        let mut d = Doc::new(width);
        let pad = " ".repeat(self.indent);
        let mut points = Vec::new();
        let gap = |d: &mut Doc| {
            if self.spaced {
                d.blank();
            }
        };
        if !self.header.is_empty() {
            d.spans(self.header.clone(), self.indent + 2);
            gap(&mut d);
        }
        d.spans(
            vec![
                Span::raw(pad.clone()),
                Span::styled(self.prompt.to_string(), t.title),
            ],
            self.indent,
        );
        gap(&mut d);
        let n = self.key_points.len();
        let shown = match self.reveal {
            Reveal::Hidden => 0,
            Reveal::Points(k) => k.min(n),
            Reveal::Full => n,
        };
        if self.reveal == Reveal::Full && self.with_response {
            d.spans(
                vec![
                    Span::raw(pad.clone()),
                    Span::styled("Key response ", t.heading),
                ],
                self.indent,
            );
            for para in self.key_response.split('\n') {
                d.spans(
                    vec![
                        Span::raw(pad.clone()),
                        Span::styled(para.to_string(), t.base),
                    ],
                    self.indent,
                );
            }
        }
        match self.ticks {
            Some(ticked) if shown > 0 => {
                if let Some(h) = &self.ticks_heading {
                    d.spans(
                        vec![Span::raw(pad.clone()), Span::styled(h.clone(), t.heading)],
                        self.indent,
                    );
                }
                for (i, k) in self.key_points.iter().take(shown).enumerate() {
                    let on = ticked & (1 << i) != 0;
                    let start = d.lines.len();
                    d.spans(
                        vec![
                            Span::styled(
                                format!("{pad}  {} {} ", i + 1, if on { "[✓]" } else { "[ ]" }),
                                if on { t.good } else { t.accent },
                            ),
                            Span::styled(k.clone(), t.base),
                        ],
                        self.indent + 8,
                    );
                    points.push(start..d.lines.len());
                }
            }
            _ if shown > 0 => {
                d.spans(
                    vec![
                        Span::raw(pad.clone()),
                        Span::styled("Key points", t.heading),
                    ],
                    self.indent,
                );
                for (i, k) in self.key_points.iter().take(shown).enumerate() {
                    let start = d.lines.len();
                    d.spans(
                        vec![
                            Span::styled(format!("{pad}  {}. ", i + 1), t.accent),
                            Span::styled(k.clone(), t.base),
                        ],
                        self.indent + 5,
                    );
                    points.push(start..d.lines.len());
                }
                let left = n - shown;
                if left > 0 {
                    d.spans(
                        vec![Span::styled(
                            format!(
                                "{pad}░░ {} hidden ░░",
                                crate::format::count(left, "more point", "more points")
                            ),
                            t.muted,
                        )],
                        self.indent,
                    );
                }
            }
            _ => {}
        }
        if self.reveal == Reveal::Full && !self.relies_on.is_empty() {
            d.spans(
                vec![Span::styled(
                    format!("{pad}Relies on: {}", self.relies_on.join("; ")),
                    t.muted,
                )],
                self.indent + 2,
            );
        }
        if let Some(h) = &self.hint {
            if shown > 0 {
                gap(&mut d);
            }
            d.spans(
                vec![Span::styled(format!("{pad}{h}"), t.muted)],
                self.indent,
            );
        }
        CardLines {
            lines: d.lines,
            points,
        }
    }
}
