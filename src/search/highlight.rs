//! What a hit shows: its title (composed for the hits returned, never stored), the snippet
//! around a match in long text, and the char positions to highlight.

use super::index::{
    FieldAt, Record, SearchIndex, Slot, finding_summary, fold, initials, is_word, one_line,
};
use super::query::{Query, Term};
use super::score::{Needle, Prepared, field_quality, matcher};
use super::{Hit, Kind};
use fuzzy_matcher::FuzzyMatcher;
use std::fmt::Write as _;

/// Chars of long text shown around a match.
const SNIPPET_CHARS: usize = 100;

/// Chars of context kept before the first match in a snippet.
const SNIPPET_LEAD: usize = 30;

/// A record's display title and where its fields sit in it (char offsets).
pub(super) struct Composed {
    pub(super) title: String,
    /// The entry's name.
    name_at: usize,
    /// The record's own title field: entry title, endpoint, prompt, "about".
    main_at: usize,
    /// A finding's numbers, when it has any.
    numbers_at: Option<usize>,
}

impl Composed {
    fn at(&self, slot: Slot) -> Option<usize> {
        match slot {
            Slot::Name | Slot::Parent => Some(self.name_at),
            Slot::Title
            | Slot::Endpoint
            | Slot::Initials
            | Slot::Prompt
            | Slot::About
            | Slot::Event => Some(self.main_at),
            Slot::Numbers | Slot::Rates => self.numbers_at,
            _ => None,
        }
    }
}

/// `prefix` + `text`, and the char offset where `text` starts.
fn titled(prefix: &str, text: &str) -> (String, usize) {
    (format!("{prefix}{text}"), prefix.chars().count())
}

/// Whether `text` already opens with `name` as a whole word ("NeoSphere: randomised …",
/// "BYL719 + T-DM1 in …"), ignoring case, so a title need not repeat it.
fn starts_with_name(text: &str, name: &str) -> bool {
    let name = name.trim();
    if name.is_empty() {
        return false;
    }
    let (t, n) = (fold(text), fold(name));
    t.starts_with(&n) && t[n.len()..].chars().next().is_none_or(|c| !is_word(c))
}

/// A record title: `name` + `sep` + `text`, unless `text` already opens with `name`.
fn named(name: &str, sep: &str, text: &str) -> (String, usize) {
    if starts_with_name(text, name) {
        (text.to_string(), 0)
    } else {
        titled(&format!("{name}{sep}"), text)
    }
}

impl SearchIndex {
    /// Display title of a record.
    pub fn title(&self, record: usize) -> String {
        self.records
            .get(record)
            .map_or_else(String::new, |r| self.compose(r).title)
    }

    /// A record's display title: "EMILIA: Trastuzumab emtansine …", "EMILIA · PFS — HR 0.65
    /// …", "EMILIA · Resident: prompt" (or "Resident: EMILIA …" when the prompt opens with
    /// the name), "EMILIA · about".
    pub(super) fn compose(&self, r: &Record) -> Composed {
        self.compose_with(r, true)
    }

    /// [`Self::compose`]; without `numbers`, a finding's numbers are left out of the title
    /// (not formatted) but still located: for a caller that has the title already.
    fn compose_with(&self, r: &Record, numbers: bool) -> Composed {
        let e = &self.lib.entries[r.entry as usize];
        let item = r.item as usize;
        let plain = |(title, at): (String, usize)| Composed {
            title,
            name_at: 0,
            main_at: at,
            numbers_at: None,
        };
        match r.kind {
            Kind::Trial | Kind::Topic => plain(named(&e.name, ": ", &e.title)),
            Kind::Finding => {
                let Some(f) = e.findings.get(item) else {
                    return plain((e.name.to_string(), 0));
                };
                let (mut title, at) = named(&e.name, " · ", &f.endpoint);
                // finding_summary is empty exactly when there is no effect and no value.
                let has_numbers = f.effect.is_some() || !f.values.is_empty();
                let numbers_at = has_numbers.then(|| {
                    title.push_str(" — ");
                    title.chars().count()
                });
                if numbers {
                    title.push_str(&finding_summary(e, f));
                }
                Composed {
                    title,
                    name_at: 0,
                    main_at: at,
                    numbers_at,
                }
            }
            Kind::Question => {
                let Some(q) = e.questions.get(item) else {
                    return plain((e.name.to_string(), 0));
                };
                // "EMILIA · Resident: prompt", or "Resident: EMILIA …" when the prompt opens
                // with the name; the name points at the name either way.
                let own = starts_with_name(&q.prompt, &e.name);
                let (title, at) = if own {
                    titled(&format!("{}: ", q.role.label()), &q.prompt)
                } else {
                    titled(&format!("{} · {}: ", e.name, q.role.label()), &q.prompt)
                };
                Composed {
                    title,
                    name_at: if own { at } else { 0 },
                    main_at: at,
                    numbers_at: None,
                }
            }
            Kind::Discrepancy => match e.discrepancies.get(item) {
                Some(d) => plain(named(&e.name, " · ", &d.about)),
                None => plain((e.name.to_string(), 0)),
            },
            Kind::Safety => {
                let Some(s) = e.safety.get(item) else {
                    return plain((e.name.to_string(), 0));
                };
                let (mut title, at) = named(&e.name, " · ", &crate::doc::safety_event(s));
                let rates = super::index::safety_rates(e, s);
                let numbers_at = (!rates.is_empty()).then(|| {
                    title.push_str(" — ");
                    title.chars().count()
                });
                title.push_str(&rates);
                Composed {
                    title,
                    name_at: 0,
                    main_at: at,
                    numbers_at,
                }
            }
        }
    }

    /// The snippet to show for a hit and the char positions (within the snippet) to highlight.
    /// A match in a name, title, endpoint, prompt or "about" shows the display title; a match
    /// elsewhere shows that field, cut to a window of ~100 chars around the first match.
    pub fn highlight(&self, hit: &Hit, query: &str) -> (String, Vec<usize>) {
        let Some(r) = self.records.get(hit.record) else {
            return (String::new(), Vec::new());
        };
        let q = Query::parse(query);
        let prepared = Prepared::new(&q);
        let fields = self.fields_of(r);
        let m = matcher();
        let quality = |f: &FieldAt, t: &Term, needle: &Needle| {
            field_quality(f.hay, !f.slot.long(), t, needle, 1, &m)
        };
        // The field of the heaviest term match decides the snippet.
        let mut best: Option<(i64, usize)> = None;
        for (t, needle) in q.terms.iter().zip(&prepared.terms) {
            for (fi, f) in fields.iter().enumerate() {
                if let Some((quality, _)) = quality(f, t, needle) {
                    let s = i64::from(f.slot.weight()) * quality;
                    if best.is_none_or(|b| s > b.0) {
                        best = Some((s, fi));
                    }
                }
            }
        }
        // The hit's title is this record's, composed already: only where its fields sit is
        // needed (without formatting a finding's numbers again).
        let composed = self.compose_with(r, false);
        let title = &hit.title;
        debug_assert!(title.starts_with(composed.title.as_str()), "{title:?}");
        let Some((_, fi)) = best else {
            return (one_line(title), Vec::new());
        };
        let f = &fields[fi];
        let text = f.hay.text();
        let mut pos: Vec<usize> = Vec::new();
        for (t, needle) in q.terms.iter().zip(&prepared.terms) {
            match quality(f, t, needle) {
                Some((_, Some(byte))) => {
                    let c = text[..byte].chars().count();
                    pos.extend(c..c + t.text.chars().count());
                }
                Some((_, None)) => {
                    if let Some((_, idx)) = m.fuzzy_indices(text, &t.text) {
                        pos.extend(idx);
                    }
                }
                None => {}
            }
        }
        pos.sort_unstable();
        pos.dedup();
        if f.slot == Slot::Initials {
            // Point at the endpoint's word starts that the initials matched.
            let (_, starts) = initials(&self.original(r, Slot::Endpoint, 0));
            pos = pos.iter().filter_map(|&p| starts.get(p).copied()).collect();
        }
        if let Some(at) = composed.at(f.slot) {
            return (one_line(title), pos.into_iter().map(|p| p + at).collect());
        }
        window(&self.original(r, f.slot, f.ordinal), &pos)
    }
}

/// Cut `text` to about [`SNIPPET_CHARS`] chars around the first of `pos`, with "…" at cut
/// ends, and shift the positions to match.
fn window(text: &str, pos: &[usize]) -> (String, Vec<usize>) {
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    if n <= SNIPPET_CHARS + SNIPPET_LEAD {
        return (one_line(text), pos.to_vec());
    }
    let first = pos.first().copied().unwrap_or(0);
    let mut start = first.saturating_sub(SNIPPET_LEAD);
    // Start at a word if one begins shortly before.
    if start > 0 {
        let back = (start.saturating_sub(10)..start)
            .rev()
            .find(|&i| chars[i] == ' ');
        if let Some(i) = back {
            start = i + 1;
        }
    }
    let end = (start + SNIPPET_CHARS).min(n);
    let start = if end == n {
        n.saturating_sub(SNIPPET_CHARS)
    } else {
        start
    };
    let mut s = String::new();
    let shift = usize::from(start > 0);
    if start > 0 {
        s.push('…');
    }
    s.extend(
        chars[start..end]
            .iter()
            .map(|&c| if c.is_control() { ' ' } else { c }),
    );
    if end < n {
        s.push('…');
    }
    let idx = pos
        .iter()
        .filter(|&&p| p >= start && p < end)
        .map(|&p| p - start + shift)
        .collect();
    (s, idx)
}

/// One line per hit: `kind<TAB>id<TAB>score<TAB>title`, where id is the entry id for
/// entries and `entry/item` otherwise, and the title has no tabs or newlines.
pub fn format_hits(index: &SearchIndex, hits: &[Hit]) -> String {
    let mut out = String::new();
    for h in hits {
        let composed = (h.record < index.len()).then(|| index.title(h.record));
        let title = composed.as_deref().unwrap_or(&h.title);
        let id = match &h.item {
            Some(item) => format!("{}/{item}", h.entry),
            None => h.entry.clone(),
        };
        // Standard output gets plain spaces (see `crate::format`).
        let title = crate::format::plain_spaces(&one_line(title));
        let _ = writeln!(
            out,
            "{}\t{id}\t{}\t{}",
            h.kind.label(),
            h.score,
            title.trim()
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use crate::content::{EntryKind, Library, Text};

    #[test]
    fn highlight_points_at_matched_chars() {
        let idx = build_index(&lib());
        for q in [
            "emilia",
            "emla",
            "thromb",
            "progression free",
            "lapatinib",
            "crossover",
        ] {
            let hits = idx.search(q, 50);
            assert!(!hits.is_empty(), "{q}");
            for h in &hits {
                let (snip, pos) = idx.highlight(h, q);
                assert!(!pos.is_empty(), "{q}: no positions for {h:?}");
                let chars: Vec<char> = snip.chars().collect();
                assert!(pos.iter().all(|&p| p < chars.len()));
                assert!(pos.windows(2).all(|w| w[0] < w[1]));
                let hl: String = pos.iter().map(|&p| chars[p]).collect::<String>();
                let hl = hl.to_lowercase();
                // Every highlighted char is a char of the query.
                assert!(hl.chars().all(|c| q.contains(c)), "{q}: {hl} in {snip}");
            }
        }
        // The EMILIA trial's snippet is its title with the name highlighted.
        let hits = idx.search("emilia", 1);
        let (snip, pos) = idx.highlight(&hits[0], "emilia");
        assert!(snip.starts_with("EMILIA: "));
        assert_eq!(pos, [0, 1, 2, 3, 4, 5]);
        // A long-text match is a window with ellipses, positions on the match.
        let h = idx
            .search("emilia", 10)
            .into_iter()
            .find(|h| h.item.as_deref() == Some("th3resa-resident"))
            .unwrap();
        let (snip, pos) = idx.highlight(&h, "emilia");
        assert!(snip.starts_with('…') && snip.ends_with('…'), "{snip}");
        assert!(snip.chars().count() <= SNIPPET_CHARS + 2);
        let hl: String = pos.iter().map(|&p| snip.chars().nth(p).unwrap()).collect();
        assert_eq!(hl, "EMILIA");
        // Filters alone: the title, nothing highlighted.
        let h = &idx.search("@phd", 1)[0];
        assert_eq!(idx.highlight(h, "@phd").1, Vec::<usize>::new());
    }

    #[test]
    fn non_ascii_positions_are_chars() {
        let mut e = entry(
            "x",
            EntryKind::Topic,
            "Über-Studie",
            "Étude ≥3 toxicité",
            "Grade ≥3 toxicité hépatique was rare.",
        );
        e.id = "x".into();
        let idx = build_index(&Library::new(vec![], vec![e]));
        let h = &idx.search("toxicite", 1)[0];
        let (snip, pos) = idx.highlight(h, "toxicite");
        let hl: String = pos.iter().map(|&p| snip.chars().nth(p).unwrap()).collect();
        assert_eq!(hl, "toxicité");
        let h = &idx.search("uber", 1)[0];
        let (snip, pos) = idx.highlight(h, "uber");
        let hl: String = pos.iter().map(|&p| snip.chars().nth(p).unwrap()).collect();
        assert_eq!(hl, "Über", "{snip}");
    }

    #[test]
    fn format_hits_is_tab_separated() {
        let mut lib = lib();
        lib.entries[1].title = "Trastuzumab\temtansine,\nsecond line".into();
        let idx = build_index(&lib);
        let hits = idx.search("emilia", 3);
        let out = format_hits(&idx, &hits);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 3);
        let cols: Vec<&str> = lines[0].split('\t').collect();
        assert_eq!(cols.len(), 4);
        assert_eq!(cols[0], "trial");
        assert_eq!(cols[1], "emilia");
        assert_eq!(cols[2], hits[0].score.to_string());
        assert_eq!(cols[3], "EMILIA: Trastuzumab emtansine, second line");
        for l in &lines[1..] {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(cols.len(), 4);
            if cols[0] != "trial" && cols[0] != "topic" {
                assert!(cols[1].contains('/'));
            }
        }
    }

    /// EMILIA's PFS finding with its real numbers and design arms.
    fn lib_with_numbers() -> Library {
        let mut lib = lib();
        let emilia = &mut lib.entries[1];
        let d = emilia.design.as_mut().unwrap();
        d.arms = vec![
            crate::content::Arm {
                id: "tdm1".into(),
                label: "T-DM1".into(),
                n: None,
                regimen: Text::default(),
            },
            crate::content::Arm {
                id: "lapcap".into(),
                label: "Lapatinib + capecitabine".into(),
                n: None,
                regimen: Text::default(),
            },
        ];
        let arm = |arm: &str, v: f64| crate::content::ArmValue {
            arm: Some(arm.into()),
            value: Some(v.into()),
            unit: crate::content::Unit::Months,
            ci: None,
            note: None,
        };
        let pfs = &mut emilia.findings[0];
        pfs.values = vec![arm("tdm1", 9.6), arm("lapcap", 6.4)];
        pfs.effect = Some(crate::content::Effect {
            measure: crate::content::Measure::HR,
            estimate: 0.65.into(),
            ci: Some((0.55.into(), 0.77.into())),
            p: Some(crate::content::PValue::Lt(0.001.into())),
            comparison: Text::default(),
        });
        // The reading no longer holds the numbers: they must come from the values.
        pfs.reading = "T-DM1 delayed progression.".into();
        Library::new(vec![], lib.entries)
    }

    #[test]
    fn finding_hits_show_their_numbers() {
        let idx = build_index(&lib_with_numbers());
        let h = idx
            .search("#finding emilia progression", 5)
            .into_iter()
            .find(|h| h.item.as_deref() == Some("pfs") && h.entry == "emilia")
            .unwrap();
        assert_eq!(
            h.title,
            "EMILIA · Progression-free survival — HR 0.65 (0.55–0.77) · T-DM1 9.6\u{a0}mo · \
             Lapatinib + capecitabine 6.4\u{a0}mo · p < 0.001"
        );
        // A finding without numbers keeps a plain title.
        let t = idx.search("thrombocytopenia", 1);
        assert_eq!(t[0].title, "EMILIA · Thrombocytopenia");
    }

    #[test]
    fn numbers_are_searchable_and_highlighted_in_the_title() {
        let idx = build_index(&lib_with_numbers());
        for q in ["9.6", "0.65", "6.4", "0.55–0.77", "0.55-0.77", "p < 0.001"] {
            let hits = idx.search(q, 10);
            assert_eq!(ids(&hits[..1]), ["emilia/pfs"], "{q}: {hits:?}");
        }
        // Digits never match scattered: "0.56" is in no field, though its chars are.
        assert!(idx.search("0.56", 10).is_empty());
        let q = Query::parse("9.6 0.65");
        assert_eq!(
            q.terms.iter().map(|t| t.text.as_str()).collect::<Vec<_>>(),
            ["9.6", "0.65"]
        );
        let h = &idx.search("9.6", 1)[0];
        let (snip, pos) = idx.highlight(h, "9.6");
        assert_eq!(snip, h.title);
        let hl: String = pos.iter().map(|&p| snip.chars().nth(p).unwrap()).collect();
        assert_eq!(hl, "9.6");
    }

    #[test]
    fn titles_never_repeat_the_entry_name() {
        let mut lib = lib();
        lib.entries[1].title = "EMILIA: trastuzumab emtansine in advanced disease".into();
        lib.entries[1].findings[0].endpoint = "EMILIA progression-free survival".into();
        lib.entries[1].discrepancies[0].about = "emilia's median overall survival".into();
        lib.entries[1].questions[0].prompt = "EMILIA: what was the primary endpoint?".into();
        // A name that merely starts a longer word is not a repeat.
        lib.entries[2].title = "Mechanism of actionable things".into();
        let idx = build_index(&Library::new(vec![], lib.entries));
        let title = |id: &str| {
            idx.search("", 100)
                .into_iter()
                .find(|h| ids(std::slice::from_ref(h))[0] == id)
                .unwrap()
                .title
        };
        assert_eq!(
            title("emilia"),
            "EMILIA: trastuzumab emtansine in advanced disease"
        );
        assert_eq!(title("emilia/pfs"), "EMILIA progression-free survival");
        assert_eq!(
            title("emilia/os-months"),
            "emilia's median overall survival"
        );
        assert_eq!(
            title("emilia/emilia-resident"),
            "Resident: EMILIA: what was the primary endpoint?"
        );
        assert_eq!(
            title("mechanism"),
            "Mechanism of action: Mechanism of actionable things"
        );
        assert_eq!(
            title("th3resa"),
            "TH3RESA: T-DM1 versus treatment of physician's choice"
        );
        // The name is still highlighted where it stands in the title.
        for (q, id) in [("emilia", "emilia"), ("emilia", "emilia/emilia-resident")] {
            let h = idx
                .search(q, 100)
                .into_iter()
                .find(|h| ids(std::slice::from_ref(h))[0] == id)
                .unwrap();
            let (snip, pos) = idx.highlight(&h, q);
            let hl: String = pos.iter().map(|&p| snip.chars().nth(p).unwrap()).collect();
            assert_eq!(hl, "EMILIA", "{id}: {snip}");
        }
    }
}
