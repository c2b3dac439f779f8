//! Markdown laid out for a printer: no line wider than [`WIDTH`] columns where words allow.
//! Paragraphs and list items are wrapped at spaces (a list item's continuation lines are
//! indented under its text, a quote's keep their `>`), and a table too wide for the page
//! becomes a list, one item a row, each value after its column's name. What Markdown reads
//! is unchanged: a wrapped paragraph is the same paragraph.

use unicode_width::UnicodeWidthStr;

/// The widest line: what a printer takes at 10 characters an inch on A4 or Letter.
pub const WIDTH: usize = 80;

/// `md` with every line within `width` where it can be.
pub fn fold(md: &str, width: usize) -> String {
    let lines: Vec<&str> = md.split('\n').collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].starts_with('|') {
            let start = i;
            while i < lines.len() && lines[i].starts_with('|') {
                i += 1;
            }
            let table = &lines[start..i];
            if table.iter().all(|l| l.width() <= width) {
                out.extend(table.iter().map(|l| l.to_string()));
            } else {
                for item in table_as_list(table) {
                    out.extend(wrap_line(&item, width));
                }
            }
            continue;
        }
        out.extend(wrap_line(lines[i], width));
        i += 1;
    }
    out.join("\n")
}

/// A table row's cells (split at `|` that are not escaped), trimmed.
fn cells(row: &str) -> Vec<String> {
    let inner = row.trim().trim_start_matches('|');
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut escaped = false;
    for c in inner.chars() {
        if c == '|' && !escaped {
            out.push(cur.trim().to_string());
            cur.clear();
        } else {
            cur.push(c);
        }
        escaped = c == '\\' && !escaped;
    }
    out.push(cur.trim().to_string());
    out
}

/// A table as list items: the first cell leads, the others follow after their column's name
/// (a table without column names: `first: second`).
fn table_as_list(table: &[&str]) -> Vec<String> {
    let Some((head, rest)) = table.split_first() else {
        return Vec::new();
    };
    let names = cells(head);
    let unnamed = names.iter().all(|n| n.is_empty());
    let mut items = Vec::new();
    for row in rest {
        let cs = cells(row);
        if cs.iter().all(|c| c.chars().all(|x| x == '-' || x == ':')) {
            continue; // the separator row
        }
        let Some((first, others)) = cs.split_first() else {
            continue;
        };
        let rest: Vec<String> = others
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.is_empty())
            .map(|(j, c)| {
                // A value that starts with its column's name ("p < 0.001") says it already.
                match names
                    .get(j + 1)
                    .filter(|n| !unnamed && !n.is_empty() && !c.starts_with(&format!("{n} ")))
                {
                    Some(n) => format!("{n}: {c}"),
                    None => c.clone(),
                }
            })
            .collect();
        let lead = if unnamed || first.starts_with("**") {
            first.clone()
        } else {
            format!("**{first}**")
        };
        items.push(if rest.is_empty() {
            format!("- {lead}")
        } else if unnamed {
            format!("- {lead}: {}", rest.join("; "))
        } else {
            format!("- {lead} — {}", rest.join("; "))
        });
    }
    items
}

/// One line wrapped at spaces to `width`: continuation lines of a list item are indented
/// under its text, those of a quote start with `> `.
fn wrap_line(line: &str, width: usize) -> Vec<String> {
    if line.width() <= width {
        return vec![line.to_string()];
    }
    let lead = line.len() - line.trim_start().len();
    let body = &line[lead..];
    let marker = if body.starts_with("- ") || body.starts_with("* ") {
        2
    } else if body.starts_with("> ") {
        0
    } else {
        let digits = body.chars().take_while(|c| c.is_ascii_digit()).count();
        if digits > 0 && body[digits..].starts_with(". ") {
            digits + 2
        } else {
            0
        }
    };
    let cont = if body.starts_with("> ") {
        format!("{}> ", " ".repeat(lead))
    } else {
        " ".repeat(lead + marker)
    };
    let mut out = Vec::new();
    let mut cur = line[..lead].to_string();
    let mut words_on_line = 0;
    for word in body.split(' ').filter(|w| !w.is_empty()) {
        if words_on_line > 0 && cur.width() + 1 + word.width() > width {
            out.push(std::mem::take(&mut cur));
            cur.push_str(&cont);
            words_on_line = 0;
        }
        if words_on_line > 0 {
            cur.push(' ');
        }
        cur.push_str(word);
        words_on_line += 1;
    }
    out.push(cur);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_wrap_and_lists_keep_their_indent() {
        let md = format!(
            "- {}\n\n> ⚠ {}",
            "word ".repeat(40).trim(),
            "quote ".repeat(30)
        );
        let out = fold(&md, 40);
        assert!(out.lines().all(|l| l.width() <= 40), "{out}");
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[0].starts_with("- word"));
        assert!(lines[1].starts_with("  word"));
        assert!(
            out.lines()
                .filter(|l| l.contains("quote"))
                .all(|l| l.starts_with("> "))
        );
        let nested = format!("  - says: {}", "x ".repeat(30));
        let out = fold(&nested, 20);
        assert!(out.starts_with("  - says: x"), "{out}");
        assert!(out.lines().skip(1).all(|l| l.starts_with("    x")), "{out}");
    }

    #[test]
    fn a_wide_table_becomes_a_list() {
        let md = "| Endpoint | Analysis | A | B |\n| --- | --- | --- | --- |\n| PFS \\| median | ITT | 9.6 mo | 6.4 mo |";
        let out = fold(md, 30);
        let words = out.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            words.contains("- **PFS \\| median** — Analysis: ITT; A: 9.6 mo;"),
            "{out}"
        );
        assert!(out.lines().all(|l| l.width() <= 30), "{out}");
        let fields = "| | |\n| --- | --- |\n| **Phase** | 3, a rather long value that goes on |";
        assert!(
            fold(fields, 30).starts_with("- **Phase**: 3,"),
            "{}",
            fold(fields, 30)
        );
        // A table that fits stays a table.
        assert_eq!(
            fold("| a | b |\n| --- | --- |", 30),
            "| a | b |\n| --- | --- |"
        );
    }
}
