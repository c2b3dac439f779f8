//! The entry document as plain text (`trialdeck show`): every section, every finding with its
//! reading, every question with its key response. Headings are bold only when `color` is set.

use super::{Block, Document, Section, status_label};
use crate::content::{Entry, Library};
use std::fmt::Write as _;

pub fn render(lib: &Library, e: &Entry, color: bool) -> String {
    let doc = super::build(lib, e);
    render_doc(&doc, e, color)
}

fn render_doc(doc: &Document, e: &Entry, color: bool) -> String {
    let h = |t: &str| {
        if color {
            format!("\x1b[1m{t}\x1b[0m")
        } else {
            t.to_string()
        }
    };
    let mut o = String::new();
    let _ = writeln!(o, "{}", h(&format!("{} — {}", doc.name, doc.title)));
    let _ = writeln!(o, "{}\n", status_label(e));
    for part in &doc.parts {
        if part.section == Section::Sources {
            continue; // every citation is already printed beside what it supports
        }
        let body = blocks(&part.blocks, &h);
        if body.trim().is_empty() {
            continue;
        }
        let _ = writeln!(o, "{}", h(&format!("== {} ==", part.section.label())));
        o.push_str(&body);
        o.push('\n');
    }
    crate::format::plain_spaces(&o)
}

fn blocks(bs: &[Block], h: &dyn Fn(&str) -> String) -> String {
    let mut o = String::new();
    let mut after_mark = false;
    for b in bs {
        let indent = if after_mark { "    " } else { "" };
        after_mark = matches!(b, Block::Mark(..));
        match b {
            Block::Heading(t) => {
                let _ = writeln!(o, "{}", h(t));
            }
            Block::Text(_, t) => {
                let _ = writeln!(o, "{t}");
            }
            Block::Mark(m, _, t) => {
                let _ = writeln!(o, "{m} {t}");
            }
            Block::Fields(fs) => {
                for f in fs {
                    let _ = writeln!(o, "  {:<13} {}", f.key, f.value);
                }
            }
            Block::Bullets(items) => {
                for i in items {
                    let _ = writeln!(o, "{indent}- {i}");
                }
            }
            Block::Findings(groups) => {
                for g in groups {
                    let _ = writeln!(o, "{}", h(g.title));
                    for f in &g.rows {
                        let _ = writeln!(o, "- {} [{}]", f.endpoint, f.analysis);
                        for (arm, v) in &f.arms {
                            let _ = writeln!(o, "    {}", super::labelled(arm, v));
                        }
                        if !f.effect_full.is_empty() {
                            let _ = writeln!(o, "    {} ({})", f.effect_full, f.comparison);
                        }
                        let _ = writeln!(o, "    {}", f.reading);
                        for n in &f.footnotes {
                            let _ = writeln!(o, "    {n}");
                        }
                        let _ = writeln!(o, "    Source: {}", f.source);
                        for x in &f.discrepancies {
                            let _ = writeln!(o, "    ⚠ Sources disagree: {x}");
                        }
                    }
                }
            }
            Block::Safety(rows) => {
                for s in rows {
                    let _ = writeln!(o, "- {}", s.event);
                    for (arm, v) in &s.arms {
                        let _ = writeln!(o, "    {}", super::labelled(arm, v));
                    }
                    if let Some(n) = &s.note {
                        let _ = writeln!(o, "    {n}");
                    }
                    for n in &s.footnotes {
                        let _ = writeln!(o, "    {n}");
                    }
                    let _ = writeln!(o, "    Source: {}", s.source);
                }
            }
            Block::Links(ls) => {
                for l in ls {
                    let _ = writeln!(o, "- {}: {} [{}] — {}", l.relation, l.name, l.to, l.note);
                }
            }
            Block::Notes(ns) => {
                for x in ns {
                    let _ = writeln!(o, "- {}", x.about);
                    for (says, cite) in &x.versions {
                        let _ = writeln!(o, "    says: {says} [{cite}]");
                    }
                    let _ = writeln!(o, "    note: {}", x.note);
                }
            }
            Block::Questions(qs) => {
                for q in qs {
                    let _ = writeln!(o, "[{}] {}", q.role.label(), q.prompt);
                    let _ = writeln!(o, "  Key response: {}", q.key_response);
                    for k in &q.key_points {
                        let _ = writeln!(o, "  * {k}");
                    }
                    o.push('\n');
                }
            }
            Block::Forest { .. } => {}
        }
    }
    o
}
