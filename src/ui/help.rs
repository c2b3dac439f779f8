//! The help overlay, generated from the keymap table.

use crate::app::App;
use crate::keymap::{self, Context};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Block, BorderType};

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(t.border_focus)
        .title(Span::styled(" Help · Esc closes ", t.border_focus))
        .style(t.base);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut d = super::doc::Doc::new(inner.width);
    for ctx in [
        Context::Global,
        Context::List,
        Context::Detail,
        Context::Search,
    ] {
        d.heading(ctx.label(), t.heading);
        for b in keymap::bindings().iter().filter(|b| b.ctx == ctx) {
            d.spans(
                vec![
                    Span::styled(format!("  {:<10} ", b.label), t.accent),
                    Span::styled(b.desc, t.base),
                ],
                13,
            );
        }
    }
    d.heading("Search syntax", t.heading);
    for (k, v) in [
        (
            "word",
            "fuzzy on names, titles, endpoints, prompts; words in long text",
        ),
        ("'word", "exact substring"),
        ("!word", "exclude results containing it"),
        (
            "@resident",
            "questions of one role (student, resident, fellow, attending, phd, editor, guideline)",
        ),
        (
            "#finding",
            "one kind: trial, topic, finding, question, discrepancy",
        ),
    ] {
        d.spans(
            vec![
                Span::styled(format!("  {k:<10} "), t.accent),
                Span::styled(v, t.base),
            ],
            13,
        );
    }
    d.heading("Mouse", t.heading);
    d.text(
        "  Click selects a trial or a section tab; the wheel scrolls.",
        t.base,
    );
    d.heading("Markers", t.heading);
    d.text(
        "  ▶ selected   ◷ ongoing as of its source   ⚠ sources disagree   ■ estimate   │ no effect",
        t.base,
    );
    let top = app.help.unwrap_or(0) as usize;
    super::scrolled(frame, inner, d.lines, top, t.base, t.muted);
}
