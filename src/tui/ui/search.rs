//! The search overlay: query box, then hits with kind, trial and a highlighted snippet.

use super::Scroll;
use crate::content::Library;
use crate::search::Searcher;
use crate::tui::app::SearchState;
use crate::tui::keymap::Keymap;
use crate::tui::layout;
use crate::tui::lines::wrap::truncate;
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Widget};
use unicode_width::UnicodeWidthStr;

pub struct SearchView<'a> {
    pub lib: &'a Library,
    /// Highlights matches; `None` until the runtime has built the search index.
    pub highlighter: Option<&'a Searcher>,
    pub state: &'a SearchState,
    pub theme: &'a Theme,
    /// Text that names a key asks the keymap.
    pub keys: &'a Keymap,
    /// The entries' documents, shared with the browser.
    pub docs: &'a crate::doc::shared::Documents,
}

impl Widget for &SearchView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let st = self.state;
        let t = self.theme;
        let size = (buf.area.width, buf.area.height);
        let areas = layout::search(size);
        let block = Block::bordered()
            .border_type(BorderType::Thick)
            .border_style(t.border_focus)
            .title(Span::styled(
                " Search trials, findings, questions, key responses ",
                t.border_focus,
            ))
            .style(t.base);
        block.render(area, buf);
        let inner = areas.input;
        if inner.height < 2 {
            return;
        }
        // Query line with a visible cursor block.
        let q = Line::from(vec![
            Span::styled(" / ", t.key),
            Span::styled(format!(" {}", st.query), t.title),
            Span::styled("█", t.accent),
        ]);
        Paragraph::new(q).render(Rect::new(inner.x, inner.y, inner.width, 1), buf);
        let reveal = if st.reveal_on_open {
            "revealed"
        } else {
            "hidden"
        };
        let (info, style) = match &st.problem {
            Some(p) => (format!(" {p}"), t.warn),
            None if st.pending && self.highlighter.is_none() => {
                (" Preparing the search index…".to_string(), t.muted)
            }
            None if st.pending => (" searching…".to_string(), t.muted),
            None => (
                format!(
                    " {} · questions open {reveal} ({}) · 'exact !not @role #kind",
                    crate::format::count(st.hits.len(), "result", "results"),
                    self.keys.key_for(
                        crate::tui::keymap::Context::Search,
                        &crate::tui::action::Action::SearchToggleReveal
                    )
                ),
                t.muted,
            ),
        };
        Paragraph::new(Span::styled(truncate(&info, inner.width as usize), style))
            .render(Rect::new(inner.x, inner.y + 1, inner.width, 1), buf);
        let list = areas.results;
        if st.hits.is_empty() {
            let msg = if st.problem.is_some() {
                ""
            } else if st.pending && self.highlighter.is_none() {
                "Preparing the search index… your query is answered as soon as it is ready."
            } else if st.pending {
                "Searching…"
            } else if st.query.trim().is_empty() {
                "Type to search. Numbers work too: 9.6 finds the findings that report 9.6."
            } else {
                "No matches. Fewer or shorter terms?"
            };
            Paragraph::new(Span::styled(msg, t.muted))
                .wrap(ratatui::widgets::Wrap { trim: true })
                .render(list, buf);
            return;
        }
        let rows = layout::search_rows(size);
        let first = layout::search_first_visible(st.selected, size);
        let w = list.width as usize;
        let mut lines: Vec<Line> = Vec::new();
        // Highlights are computed only for the rows on screen.
        for (i, hit) in st.hits.iter().enumerate().skip(first).take(rows) {
            let sel = i == st.selected;
            let row_style = if sel { t.selected } else { t.base };
            let badge = format!("{:<11} ", hit.kind.label());
            let head_w = w.saturating_sub(badge.width() + 2);
            let (snippet, marks) = match self.highlighter {
                Some(h) => h.highlight(hit, &st.query),
                None => (hit.title.clone(), Vec::new()),
            };
            let in_title = snippet == hit.title;
            let mut head = vec![
                Span::styled(if sel { "▶ " } else { "  " }, row_style),
                Span::styled(badge, t.accent),
            ];
            if in_title {
                head.extend(highlighted(&snippet, &marks, head_w, row_style, t.matched).spans);
            } else {
                head.push(Span::styled(
                    truncate(&hit.title.replace('\n', " "), head_w),
                    row_style,
                ));
            }
            lines.push(Line::from(head));
            let mut second = vec![Span::raw("    ")];
            if in_title {
                second.push(Span::styled(
                    truncate(&context(self.lib, hit), w.saturating_sub(4)),
                    t.muted,
                ));
            } else {
                second.extend(
                    highlighted(&snippet, &marks, w.saturating_sub(4), t.muted, t.matched).spans,
                );
            }
            lines.push(Line::from(second));
        }
        Paragraph::new(lines).render(list, buf);
        let scroll = Scroll::new(first, st.hits.len(), rows);
        scroll.render_marks(list, buf, t.muted);
        if let (Some(p), Some(hit)) = (areas.preview, st.hits.get(st.selected)) {
            self.preview(hit, p, buf);
        }
    }
}

/// The selected hit in its context: its entry's section, scrolled to the item.
impl SearchView<'_> {
    /// The selected hit in its context: its entry's section, scrolled to the item.
    fn preview(&self, hit: &crate::search::Hit, area: Rect, buf: &mut Buffer) {
        let look = crate::tui::lines::Look {
            theme: self.theme,
            keys: self.keys,
        };
        let reveal = self.state.reveal_on_open;
        preview_entry(self.lib, hit, reveal, area, buf, look, self.docs);
    }
}

fn preview_entry(
    lib: &Library,
    hit: &crate::search::Hit,
    reveal: bool,
    area: Rect,
    buf: &mut Buffer,
    look: crate::tui::lines::Look,
    docs: &crate::doc::shared::Documents,
) {
    let (t, keys) = (look.theme, look.keys);
    use crate::doc::Section;
    use crate::search::Kind;
    let Some(ei) = lib.index_of(&hit.entry) else {
        return;
    };
    let e = &lib.entries[ei];
    let d = docs.get(lib, ei);
    let item_id = hit.item.clone().unwrap_or_default();
    let (section, item) = match hit.kind {
        Kind::Finding => (
            Section::Findings,
            d.finding_rows()
                .iter()
                .position(|f| f.id == item_id)
                .unwrap_or(0),
        ),
        Kind::Question => (
            Section::Discussion,
            d.questions()
                .iter()
                .position(|q| q.id == item_id)
                .unwrap_or(0),
        ),
        Kind::Discrepancy => (
            Section::Discrepancies,
            e.discrepancies
                .iter()
                .position(|x| x.id == item_id)
                .unwrap_or(0),
        ),
        Kind::Safety => (Section::Safety, hit.safety_row().unwrap_or(0)),
        _ => (Section::Overview, 0),
    };
    let mut revealed = std::collections::HashSet::new();
    if reveal && hit.kind == Kind::Question {
        revealed.insert(item_id);
    }
    let view = crate::tui::lines::document::View {
        keys,
        section,
        item,
        focused: false,
        role: None,
        ceiling: None,
        revealed: &revealed,
    };
    // Left edge: a rule; then the entry's name and the section.
    for y in area.y..area.y + area.height {
        buf.set_string(area.x, y, "│", t.border);
    }
    let inner = Rect::new(
        area.x + 2,
        area.y,
        area.width.saturating_sub(2),
        area.height,
    );
    if inner.height < 2 {
        return;
    }
    let title = format!("{} · {}", e.name, section.label());
    buf.set_string(
        inner.x,
        inner.y,
        truncate(&title, inner.width as usize),
        t.title,
    );
    let body = Rect::new(inner.x, inner.y + 1, inner.width, inner.height - 1);
    let s = crate::tui::lines::document::section(&d, &view, t, body.width);
    let top = s.items.get(item).map(|r| r.start).unwrap_or(0);
    Scroll::new(top, s.lines.len(), body.height as usize)
        .render_lines(s.lines, body, buf, t.base, t.muted);
}

/// A muted second line for a hit matched in its title: where it lives.
fn context(lib: &Library, hit: &crate::search::Hit) -> String {
    let Some(e) = lib.entry(&hit.entry) else {
        return String::new();
    };
    let status = crate::doc::status_label(e);
    match hit.kind {
        crate::search::Kind::Question => {
            let role = e
                .questions
                .iter()
                .find(|q| hit.item.as_deref() == Some(q.id.as_str()))
                .map(|q| q.role.label())
                .unwrap_or("");
            format!("{role} question · {} ({status})", e.name)
        }
        k if k.is_entry() => {
            let mut parts = vec![status];
            if let Some(y) = e.year {
                parts.push(y.to_string());
            }
            parts.extend(e.design.as_ref().map(crate::format::phase));
            parts.join(" · ")
        }
        crate::search::Kind::Finding => {
            let analysis = e
                .findings
                .iter()
                .find(|f| hit.item.as_deref() == Some(f.id.as_str()))
                .map(|f| f.analysis.label())
                .unwrap_or_default();
            format!("{analysis} · in {} ({status})", e.name)
        }
        _ => format!("in {} ({status})", e.name),
    }
}

/// The snippet with matched characters styled (bold + underline, so not by colour alone).
pub fn highlighted(
    s: &str,
    marks: &[usize],
    width: usize,
    base: ratatui::style::Style,
    hl: ratatui::style::Style,
) -> Line<'static> {
    let mut spans = Vec::new();
    let mut used = 0usize;
    let mut cur = String::new();
    let mut cur_hl = false;
    for (i, c) in s.chars().enumerate() {
        let c = if c == '\n' { ' ' } else { c };
        let cw = c.to_string().width();
        if used + cw > width {
            break;
        }
        used += cw;
        let h = marks.binary_search(&i).is_ok();
        if h != cur_hl && !cur.is_empty() {
            spans.push(Span::styled(
                std::mem::take(&mut cur),
                if cur_hl { hl } else { base },
            ));
        }
        cur_hl = h;
        cur.push(c);
    }
    if !cur.is_empty() {
        spans.push(Span::styled(cur, if cur_hl { hl } else { base }));
    }
    Line::from(spans)
}
