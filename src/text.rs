//! Plain-text renderings for the command line (`list`, `show`). Pack text is sanitized at
//! load, so it is safe to print; the only escape codes here are our own bold headings,
//! and only when `color` is on.

use crate::content::{ArmValue, Entry, Finding, Library, Status, fmt_num};
use std::fmt::Write as _;

/// One row of `trialdeck list`.
pub fn list_table(lib: &Library) -> String {
    let header = ["ID", "NAME", "YEAR", "PHASE", "N", "QUESTIONS", "STATUS"];
    let mut rows: Vec<[String; 7]> = vec![header.map(String::from)];
    for e in &lib.entries {
        rows.push([
            e.id.clone(),
            clip(&e.name, 32),
            e.year.map(|y| y.to_string()).unwrap_or_else(|| "-".into()),
            clip(e.phase().unwrap_or(kind_label(e)), 16),
            e.sample_size()
                .map(|n| n.to_string())
                .unwrap_or_else(|| "-".into()),
            e.questions.len().to_string(),
            status_label(e),
        ]);
    }
    let mut widths = [0usize; 7];
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    for r in &rows {
        let line: Vec<String> = r
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        let _ = writeln!(out, "{}", line.join("  ").trim_end());
    }
    out
}

/// At most `n` characters, ending in "…" when cut (so columns stay aligned).
fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(n - 1).collect();
        out.push('…');
        out
    }
}

fn kind_label(e: &Entry) -> &'static str {
    match e.kind {
        crate::content::EntryKind::Trial => "trial",
        crate::content::EntryKind::Topic => "topic",
    }
}

/// "reported", or "ongoing as of 2015".
pub fn status_label(e: &Entry) -> String {
    match &e.status {
        Status::Reported => match e.kind {
            crate::content::EntryKind::Topic => "topic".into(),
            _ => "reported".into(),
        },
        Status::Ongoing { as_of, .. } => format!("ongoing as of {as_of}"),
    }
}

/// A per-arm value as text: `9.6 mo (95% CI 8.1–11.2)` or `not reached`.
pub fn arm_value(v: &ArmValue) -> String {
    let mut s = match v.value {
        Some(x) => format!("{}{}", fmt_num(x), v.unit.suffix()),
        None => String::new(),
    };
    if let Some((lo, hi)) = v.ci {
        let _ = write!(s, " (95% CI {}–{})", fmt_num(lo), fmt_num(hi));
    }
    if let Some(n) = &v.note {
        if !s.is_empty() {
            s.push_str("; ");
        }
        s.push_str(n);
    }
    s
}

/// A per-arm value with its arm: `T-DM1: 9.6 mo`. A group that is not a design arm (topics
/// have none) is named by its note when it has one, rather than by its internal id.
pub fn arm_with_value(e: &Entry, v: &ArmValue, sep: &str) -> String {
    if v.arm.is_some() && !e.is_design_arm(v.arm.as_deref()) && v.note.is_some() {
        arm_value(v)
    } else {
        format!("{}{sep}{}", e.arm_label(v.arm.as_deref()), arm_value(v))
    }
}

/// A safety item's event with its grade: `Any adverse event (grade ≥3)`.
pub fn safety_event(s: &crate::content::SafetyItem) -> String {
    match &s.grade {
        Some(g) => format!("{} (grade {g})", s.event),
        None => s.event.clone(),
    }
}

/// The effect of a finding as text: `HR 0.65 (95% CI 0.55–0.77), p < 0.001`.
pub fn effect(f: &Finding) -> String {
    let Some(e) = &f.effect else {
        return String::new();
    };
    let f = |v| crate::content::fmt_effect(e.measure, v);
    let mut s = format!("{} {}", e.measure.label(), f(e.estimate));
    if let Some((lo, hi)) = e.ci {
        let _ = write!(s, " (95% CI {}–{})", f(lo), f(hi));
    }
    if let Some(p) = e.p {
        let _ = write!(s, ", {p}");
    }
    s
}

/// Year, journal, authors and registry ids, where the entry has them.
pub fn meta_parts(e: &Entry) -> Vec<String> {
    let mut meta = Vec::new();
    if let Some(y) = e.year {
        meta.push(y.to_string());
    }
    if let Some(j) = &e.journal {
        meta.push(j.clone());
    }
    if !e.authors.is_empty() {
        meta.push(e.authors.join(", "));
    }
    meta.extend(e.registry.iter().cloned());
    meta
}

/// A trial as readable plain text (`trialdeck show ID`).
pub fn show(lib: &Library, e: &Entry, color: bool) -> String {
    let h = |t: &str| {
        if color {
            format!("\x1b[1m{t}\x1b[0m")
        } else {
            t.to_string()
        }
    };
    let mut o = String::new();
    let _ = writeln!(o, "{}", h(&format!("{} — {}", e.name, e.title)));
    let mut meta = meta_parts(e);
    meta.push(status_label(e));
    let _ = writeln!(o, "{}\n", meta.join(" · "));
    section(&mut o, &h("Bottom line"), &e.bottom_line);
    if let Some(d) = &e.design {
        let _ = writeln!(o, "{}", h("Design"));
        let mut kv = |k: &str, v: &str| {
            if !v.is_empty() {
                let _ = writeln!(o, "  {k:<13} {v}");
            }
        };
        kv("Phase", &d.phase);
        kv("Features", &d.features.join(", "));
        kv(
            "Sample",
            &d.sample_size.map(|n| n.to_string()).unwrap_or_default(),
        );
        kv("Setting", &d.setting);
        kv("Duration", &d.duration);
        kv("Population", &d.population);
        kv("Intervention", &d.intervention);
        kv("Comparator", d.comparator.as_deref().unwrap_or(""));
        kv("Primary", &d.primary_endpoints.join("; "));
        kv("Secondary", &d.secondary_endpoints.join("; "));
        for a in &d.arms {
            let n = a.n.map(|n| format!(" (n = {n})")).unwrap_or_default();
            kv("Arm", &format!("{}{n}: {}", a.label, a.regimen));
        }
        o.push('\n');
    }
    if !e.findings.is_empty() {
        let _ = writeln!(o, "{}", h("Findings"));
        for f in &e.findings {
            let _ = writeln!(o, "- {} [{}]", f.endpoint, f.analysis.label());
            for v in &f.values {
                let _ = writeln!(o, "    {}", arm_with_value(e, v, ": "));
            }
            let eff = effect(f);
            if !eff.is_empty() {
                let _ = writeln!(o, "    {eff}");
            }
            let _ = writeln!(o, "    {}", f.reading);
            let _ = writeln!(o, "    Source: {}", cites(lib, &f.cite));
        }
        o.push('\n');
    }
    if !e.safety.is_empty() {
        let _ = writeln!(o, "{}", h("Safety"));
        for s in &e.safety {
            let vals: Vec<String> = s.values.iter().map(|v| arm_with_value(e, v, " ")).collect();
            let _ = writeln!(o, "- {}: {}", safety_event(s), vals.join(" vs "));
            if let Some(n) = &s.note {
                let _ = writeln!(o, "    {n}");
            }
        }
        o.push('\n');
    }
    list(&mut o, &h("Limitations"), &e.limitations);
    section(&mut o, &h("Clinical significance"), &e.significance);
    section(&mut o, &h("Historical context"), &e.context);
    if !e.related.is_empty() {
        let _ = writeln!(o, "{}", h("Related"));
        for r in &e.related {
            let name = lib.entry(&r.to).map(|x| x.name.as_str()).unwrap_or(&r.to);
            let _ = writeln!(o, "- {} {name} ({}): {}", r.relation.label(), r.to, r.note);
        }
        o.push('\n');
    }
    if !e.discrepancies.is_empty() {
        let _ = writeln!(o, "{}", h("Discrepancies"));
        for d in &e.discrepancies {
            let _ = writeln!(o, "- {}", d.about);
            for v in &d.versions {
                let _ = writeln!(
                    o,
                    "    {} — {}",
                    v.says,
                    cites(lib, std::slice::from_ref(&v.cite))
                );
            }
            let _ = writeln!(o, "    Note: {}", d.note);
        }
        o.push('\n');
    }
    if !e.questions.is_empty() {
        let _ = writeln!(o, "{}", h("Discussion"));
        for q in &e.questions {
            let _ = writeln!(o, "[{}] {}", q.role.label(), q.prompt);
            let _ = writeln!(o, "  Key response: {}", q.key_response);
            for k in &q.key_points {
                let _ = writeln!(o, "  * {k}");
            }
            o.push('\n');
        }
    }
    o
}

/// Citations as `file (place); …`.
pub fn cites(lib: &Library, cs: &[crate::content::Cite]) -> String {
    cs.iter()
        .map(|c| {
            let file = lib
                .source(&c.source)
                .map(|s| s.file.as_str())
                .unwrap_or(&c.source);
            format!("{file}, {}", c.at)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn section(o: &mut String, title: &str, body: &str) {
    if !body.trim().is_empty() {
        let _ = writeln!(o, "{title}\n{body}\n");
    }
}

fn list(o: &mut String, title: &str, items: &[String]) {
    if !items.is_empty() {
        let _ = writeln!(o, "{title}");
        for i in items {
            let _ = writeln!(o, "- {i}");
        }
        o.push('\n');
    }
}
