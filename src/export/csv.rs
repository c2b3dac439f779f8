//! CSV for the text import of Anki and other flashcard tools (RFC 4180): a header row, then
//! one row per question; CRLF between records; a field is quoted when it holds a comma, a
//! quote, CR or LF, with quotes doubled. Key points are joined by newlines inside their field,
//! tags are space-separated (Anki's convention).

use super::{CardRow, Selection, card_rows};
use crate::content::Library;

/// The columns, in order.
pub const HEADER: [&str; 7] = [
    "question",
    "key_response",
    "key_points",
    "role",
    "trial",
    "tags",
    "source",
];

/// The selection as CSV (with `facts`, fact cards follow each entry's questions).
pub fn render(lib: &Library, sel: &Selection, facts: bool) -> String {
    render_rows(&card_rows(lib, sel, facts))
}

/// Rows as CSV, header first.
pub fn render_rows(rows: &[CardRow]) -> String {
    let mut o = String::new();
    record(&mut o, HEADER.iter().copied());
    for r in rows {
        let points = r.key_points.join("\n");
        let tags = r.tags.join(" ");
        record(
            &mut o,
            [
                r.question.as_str(),
                r.key_response.as_str(),
                points.as_str(),
                r.role.label(),
                r.trial.as_str(),
                tags.as_str(),
                r.source.as_str(),
            ],
        );
    }
    o
}

fn record<'a>(o: &mut String, fields: impl IntoIterator<Item = &'a str>) {
    for (i, f) in fields.into_iter().enumerate() {
        if i > 0 {
            o.push(',');
        }
        field(o, f);
    }
    o.push_str("\r\n");
}

/// One field, quoted only when it must be.
pub fn field(o: &mut String, f: &str) {
    if f.contains([',', '"', '\r', '\n']) {
        o.push('"');
        o.push_str(&f.replace('"', "\"\""));
        o.push('"');
    } else {
        o.push_str(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(s: &str) -> String {
        let mut o = String::new();
        field(&mut o, s);
        o
    }

    #[test]
    fn quoting_follows_rfc_4180() {
        assert_eq!(f("plain text"), "plain text");
        assert_eq!(f("a, b"), "\"a, b\"");
        assert_eq!(f("say \"no\""), "\"say \"\"no\"\"\"");
        assert_eq!(f("one\ntwo"), "\"one\ntwo\"");
        assert_eq!(f("cr\r"), "\"cr\r\"");
        assert_eq!(f(""), "");
    }
}
