//! The help text at a size, in one or two columns: what the help view draws and what
//! `update` measures to bound its scroll.

use crate::tui::keymap::Keymap;

/// Lines of the help text at a size (one line per key row, a title and a blank per context;
/// in two columns, the longer column).
pub fn help_lines(keymap: &Keymap, size: (u16, u16)) -> Vec<Vec<(String, String)>> {
    let mut groups = keymap.help();
    let rows = |r: &[(&str, &str)]| -> Vec<(String, String)> {
        r.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    groups.push((
        "Search syntax",
        rows(&[
            (
                "word",
                "fuzzy on names, titles, endpoints, prompts; words in long text",
            ),
            ("9.6", "numbers find the findings that report them"),
            ("'word", "exact substring"),
            ("!word", "exclude results containing it"),
            (
                "@resident",
                "one role: student resident fellow attending phd editor guideline",
            ),
            (
                "#finding",
                "one kind: trial, topic, finding, question, discrepancy, safety",
            ),
        ]),
    ));
    groups.push((
        "On a projector",
        rows(&[(
            "Ctrl+=",
            "zoom: most terminals enlarge their text with Ctrl+= (Ctrl+- shrinks it; Cmd+= on a Mac); rounds redraw to fit the new size",
        )]),
    ));
    groups.push((
        "Mouse",
        rows(&[
            (
                "click",
                "select a trial, a tab, a finding, link or question",
            ),
            (
                "click again",
                "reveal a selected question; open a selected search result",
            ),
            ("wheel", "scroll"),
        ]),
    ));
    groups.push((
        "Markers",
        rows(&[
            ("▶", "selected"),
            ("◷", "ongoing as of its source"),
            ("⚠", "the sources disagree"),
            ("¹ ²", "a caveat, shown under the selected finding"),
            ("■ │", "an estimate; the line of no effect"),
        ]),
    ));
    if !crate::tui::layout::help_two_columns(size) {
        let (_, desc_w) = help_widths(size, 1);
        return vec![flatten_help(&groups, desc_w)];
    }
    let (_, desc_w) = help_widths(size, 2);
    // Split the groups (in order) where the longer column is shortest.
    let len = |gs: &[(&'static str, Vec<(String, String)>)]| flatten_help(gs, desc_w).len();
    let split = (1..groups.len())
        .min_by_key(|&k| len(&groups[..k]).max(len(&groups[k..])))
        .unwrap_or(groups.len());
    let right = groups.split_off(split);
    let left = groups;
    vec![flatten_help(&left, desc_w), flatten_help(&right, desc_w)]
}

/// The widths of a help column's keys and descriptions at a size, in `columns` columns:
/// what the view draws and the rows are wrapped to.
pub fn help_widths(size: (u16, u16), columns: u16) -> (usize, usize) {
    let body = crate::tui::layout::help_body(size);
    let col_w = (body.width / columns.max(1)).saturating_sub(1) as usize;
    let kw = 14usize.min(col_w / 3);
    (kw, col_w.saturating_sub(kw + 3).max(1))
}

/// A help column as (keys, description) rows, descriptions wrapped to `desc_w` (a
/// continuation row has empty keys); a heading row has empty keys and a `#` prefix.
fn flatten_help(
    groups: &[(&'static str, Vec<(String, String)>)],
    desc_w: usize,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (title, rows) in groups {
        if !out.is_empty() {
            out.push((String::new(), String::new()));
        }
        out.push((String::new(), format!("# {title}")));
        for (k, d) in rows {
            let lines = super::wrap::wrap(vec![ratatui::text::Span::raw(d.clone())], desc_w, 0);
            for (i, l) in lines.iter().enumerate() {
                let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
                let key = if i == 0 { k.clone() } else { String::new() };
                out.push((key, text.trim_end().to_string()));
            }
        }
    }
    out
}

pub fn help_max_scroll(keymap: &Keymap, size: (u16, u16)) -> usize {
    let h = crate::tui::layout::help_body(size).height as usize;
    let longest = help_lines(keymap, size)
        .iter()
        .map(Vec::len)
        .max()
        .unwrap_or(0);
    crate::tui::layout::max_top(longest, h)
}
