//! One phrase per measure on every surface. For each kind of measure (a median, a rate, a
//! hazard ratio with its CI, a difference, a count, "not reached", no figure) a real finding of
//! the bundled pack or of the mini fixture pack is rendered on every surface that shows it, and
//! the same phrase must appear on each:
//!
//! - `detail`: the entry document laid out as the detail panel's lines (the finding selected,
//!   so its footnotes show), and the Overview's key results for a headline finding;
//! - `show`: the plain text of `trialdeck show` (the finding's block, and the Overview);
//! - `search`: the finding's search hit title;
//! - `values card` / `effect card`: the fact cards' answer and key points;
//! - `markdown`: the handout's table row (raw Markdown: a phrase must read as text there, so
//!   `p < 0.001` may not become `p &lt; 0.001`), and the Overview's key results;
//! - `anki`: the fact card's note fields, HTML un-escaped;
//! - `csv`: the fact card's row, parsed;
//! - `rounds`: the screen that prints a trial's design line and key results (the quiz header
//!   names only the trial).
//!
//! The only difference allowed is the no-break space that keeps a number with its unit on
//! screen: files print it as a plain space, and this test compares with plain spaces.

mod common;

use common::{bundled_library, mini_library, render, screen_text};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use trialdeck::content::{Entry, Library};
use trialdeck::doc::Section;
use trialdeck::export::{self, Selection};
use trialdeck::review::cards::{self, CardId, FactKind};
use trialdeck::search::SearchIndex;
use trialdeck::tui::action::Action;
use trialdeck::tui::lines::document::{View, section};
use trialdeck::tui::theme::{Theme, ThemeName};

/// No-break spaces as plain spaces.
fn plain(s: &str) -> String {
    s.replace('\u{a0}', " ")
}

/// Everything a library renders, built once.
struct Surfaces {
    lib: Library,
    index: SearchIndex,
    cards: Vec<cards::Card>,
    csv: Vec<Vec<String>>,
}

impl Surfaces {
    fn new(lib: Library) -> Surfaces {
        let index = SearchIndex::build(Arc::new(lib.clone()));
        let cards = cards::build_cards(&lib);
        let text = export::csv::render(&lib, &Selection::all(&lib), true);
        let mut rd = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.as_bytes());
        let csv = rd
            .records()
            .map(|r| r.expect("csv row").iter().map(plain).collect())
            .collect();
        Surfaces {
            lib,
            index,
            cards,
            csv,
        }
    }

    fn entry(&self, id: &str) -> &Entry {
        self.lib
            .entry(id)
            .unwrap_or_else(|| panic!("no entry {id}"))
    }

    fn pack(&self, entry: &str) -> String {
        export::pack_of(&self.lib, entry)
            .expect("the entry's pack")
            .manifest
            .id
            .clone()
    }

    /// The detail panel's lines of one section, with item `item` selected, at a width where
    /// nothing needs to wrap.
    fn detail_section(
        &self,
        entry: &str,
        s: Section,
        item: usize,
    ) -> (Vec<String>, Vec<std::ops::Range<usize>>) {
        let e = self.entry(entry);
        let doc = trialdeck::doc::build(&self.lib, e);
        let revealed = HashSet::new();
        let keys = trialdeck::tui::keymap::Keymap::default();
        let view = View {
            keys: &keys,
            section: s,
            item,
            focused: true,
            role: None,
            ceiling: None,
            revealed: &revealed,
        };
        let styled = section(&doc, &view, &Theme::new(ThemeName::Dark), 400);
        let lines = styled
            .lines
            .iter()
            .map(|l| {
                plain(
                    &l.spans
                        .iter()
                        .map(|s| s.content.as_ref())
                        .collect::<String>(),
                )
            })
            .collect();
        (lines, styled.items)
    }

    /// The selected finding's lines in the detail panel.
    fn detail(&self, entry: &str, finding: &str) -> String {
        let e = self.entry(entry);
        let doc = trialdeck::doc::build(&self.lib, e);
        let i = doc
            .finding_rows()
            .iter()
            .position(|r| r.id == finding)
            .expect("the finding is in the document");
        let (lines, items) = self.detail_section(entry, Section::Findings, i);
        lines[items[i].clone()].join("\n")
    }

    /// The whole of a detail section as text.
    fn detail_all(&self, entry: &str, s: Section) -> String {
        self.detail_section(entry, s, 0).0.join("\n")
    }

    fn show(&self, entry: &str) -> String {
        plain(&trialdeck::doc::plain::render(
            &self.lib,
            self.entry(entry),
            false,
        ))
    }

    /// The finding's block of `show`: from its `- endpoint [analysis]` line to the next item.
    fn show_finding(&self, entry: &str, finding: &str) -> String {
        let e = self.entry(entry);
        let f = e.finding(finding).expect("finding");
        let show = self.show(entry);
        let head = format!("- {} [", f.endpoint);
        let start = show.find(&head).expect("the finding is in `show`");
        let rest = &show[start..];
        let end = rest[1..]
            .find("\n- ")
            .map_or(rest.len(), |i| i + 1)
            .min(rest.find("\n\n").unwrap_or(rest.len()));
        rest[..end].to_string()
    }

    fn search(&self, entry: &str, finding: &str) -> String {
        let e = self.entry(entry);
        let f = e.finding(finding).expect("finding");
        let word = f.endpoint.split_whitespace().next().unwrap_or("");
        let hits = self.index.search(&format!("#finding '{word}"), 100_000);
        let hit = hits
            .iter()
            .find(|h| h.entry == entry && h.item.as_deref() == Some(finding))
            .unwrap_or_else(|| panic!("no search hit for {entry}/{finding}"));
        plain(&self.index.title(hit.record))
    }

    fn card(&self, entry: &str, finding: &str, kind: FactKind) -> Option<cards::CardText> {
        let id = CardId::fact(&self.pack(entry), entry, finding, kind);
        self.cards
            .iter()
            .find(|c| c.id == id)
            .and_then(|c| c.text(&self.lib))
    }

    /// A fact card's prompt, answer and key points.
    fn card_text(&self, entry: &str, finding: &str, kind: FactKind) -> Option<String> {
        self.card(entry, finding, kind).map(|t| {
            plain(&format!(
                "{}\n{}\n{}",
                t.prompt,
                t.answer,
                t.key_points.join("\n")
            ))
        })
    }

    fn markdown(&self, entry: &str) -> String {
        export::markdown::render(&self.lib, &Selection::new(&self.lib, &[entry], &[]))
    }

    /// The finding's row of the Markdown findings table.
    fn markdown_row(&self, entry: &str, finding: &str) -> String {
        let f = self.entry(entry).finding(finding).expect("finding");
        let md = self.markdown(entry);
        let head = format!("| {} |", export::markdown::esc(&f.endpoint));
        md.lines()
            .find(|l| l.starts_with(&head))
            .unwrap_or_else(|| panic!("no Markdown row for {entry}/{finding}"))
            .to_string()
    }

    /// A fact card's Anki note, HTML un-escaped.
    fn anki(&self, entry: &str, finding: &str, kind: FactKind) -> Option<String> {
        let id = CardId::fact(&self.pack(entry), entry, finding, kind);
        let rows = export::card_rows(&self.lib, &Selection::new(&self.lib, &[entry], &[]), true);
        rows.iter().find(|r| r.id == id.0).map(|r| {
            plain(
                &export::anki::note_fields(r)
                    .iter()
                    .map(|f| {
                        export::anki::strip_html(&f.replace("<br>", "\n").replace("</li>", "\n"))
                    })
                    .collect::<Vec<_>>()
                    .join("\n"),
            )
        })
    }

    /// A fact card's CSV row (found by its question).
    fn csv(&self, entry: &str, finding: &str, kind: FactKind) -> Option<String> {
        let prompt = plain(&self.card(entry, finding, kind)?.prompt);
        self.csv
            .iter()
            .find(|r| r[0] == prompt)
            .map(|r| r.join("\n"))
    }

    /// Every surface that shows this finding's values, by name: all but the effect card, which
    /// asks for the effect alone.
    fn value_surfaces(&self, entry: &str, finding: &str) -> Vec<(String, String)> {
        let mut all = self.finding_surfaces(entry, finding);
        all.retain(|(name, _)| !name.contains("effect"));
        all
    }

    /// Every surface that shows this finding, by name.
    fn finding_surfaces(&self, entry: &str, finding: &str) -> Vec<(String, String)> {
        let mut out = vec![
            ("detail".to_string(), self.detail(entry, finding)),
            ("show".into(), self.show_finding(entry, finding)),
            ("search".into(), self.search(entry, finding)),
            ("markdown".into(), self.markdown_row(entry, finding)),
        ];
        for kind in [FactKind::Values, FactKind::Effect] {
            let name = match kind {
                FactKind::Values => "values",
                _ => "effect",
            };
            if let Some(t) = self.card_text(entry, finding, kind) {
                out.push((format!("{name} card"), t));
            }
            if let Some(t) = self.anki(entry, finding, kind) {
                out.push((format!("anki {name}"), t));
            }
            if let Some(t) = self.csv(entry, finding, kind) {
                out.push((format!("csv {name}"), t));
            }
        }
        out
    }
}

/// Failures collected over a test, reported together.
#[derive(Default)]
struct Check(Vec<String>);

impl Check {
    /// `phrase` appears on every one of `surfaces`.
    fn everywhere(&mut self, what: &str, surfaces: &[(String, String)], phrase: &str) {
        for (name, text) in surfaces {
            if !text.contains(phrase) {
                self.0.push(format!(
                    "{what}: `{phrase}` is missing on {name}:\n    {}",
                    text.replace('\n', "\n    ")
                ));
            }
        }
    }

    /// `phrase` appears on none of `surfaces`.
    fn nowhere(&mut self, what: &str, surfaces: &[(String, String)], phrase: &str) {
        for (name, text) in surfaces {
            if text.contains(phrase) {
                self.0.push(format!(
                    "{what}: `{phrase}` should not appear on {name}:\n    {}",
                    text.replace('\n', "\n    ")
                ));
            }
        }
    }

    /// Each surface must hold one of the `kinds` of fact card (so a test cannot pass by finding
    /// no card at all).
    fn has(&mut self, what: &str, surfaces: &[(String, String)], names: &[&str]) {
        for n in names {
            if !surfaces.iter().any(|(s, _)| s == n) {
                self.0.push(format!("{what}: no {n} surface"));
            }
        }
    }

    fn done(self) {
        assert!(
            self.0.is_empty(),
            "{} problems:\n\n{}",
            self.0.len(),
            self.0.join("\n\n")
        );
    }
}

const CARDS: [&str; 3] = ["values card", "anki values", "csv values"];
const EFFECT_CARDS: [&str; 3] = ["effect card", "anki effect", "csv effect"];

#[test]
fn a_median_reads_the_same_everywhere() {
    let s = Surfaces::new(bundled_library());
    let mut c = Check::default();
    let emilia = s.value_surfaces("emilia", "pfs");
    c.has("EMILIA PFS", &emilia, &CARDS);
    c.everywhere("EMILIA PFS", &emilia, "9.6 mo");
    c.everywhere("EMILIA PFS", &emilia, "6.4 mo");
    // The mini pack writes 9.0 (8.0–10.0): the written precision is kept.
    let m = Surfaces::new(mini_library());
    let alpha = m.value_surfaces("alpha", "pfs");
    c.has("ALPHA PFS", &alpha, &CARDS);
    c.everywhere("ALPHA PFS", &alpha, "9.0 mo (95% CI 8.0–10.0)");
    c.everywhere("ALPHA PFS", &alpha, "6.0 mo");
    c.done();
}

#[test]
fn a_rate_keeps_its_written_precision_everywhere() {
    let s = Surfaces::new(bundled_library());
    let mut c = Check::default();
    let trr = s.value_surfaces("ncch-retrospective", "trr");
    c.has("NCCH response", &trr, &CARDS);
    c.everywhere("NCCH response", &trr, "11.1%");
    // The source writes 25.0%: it is not shortened to 25%.
    c.everywhere("NCCH response", &trr, "25.0%");
    // EMILIA's grade 3/4 events: 57.0% in one source, 57% in another (a discrepancy note
    // compares them), both as written, in the safety section of every surface that has it.
    let md = s.markdown("emilia");
    let safety = vec![
        (
            "detail".to_string(),
            s.detail_all("emilia", Section::Safety),
        ),
        ("show".into(), s.show("emilia")),
        ("markdown".into(), md),
    ];
    c.everywhere("EMILIA safety", &safety, "57.0%");
    c.everywhere("EMILIA safety", &safety, "40.8%");
    // (57% and 57.0% side by side: neither hides the other.)
    c.everywhere("EMILIA safety", &safety, "57%");
    c.done();
}

#[test]
fn a_hazard_ratio_with_its_ci_reads_the_same_everywhere() {
    let s = Surfaces::new(bundled_library());
    let mut c = Check::default();
    let pfs = s.finding_surfaces("emilia", "pfs");
    c.has("EMILIA PFS", &pfs, &EFFECT_CARDS);
    c.everywhere("EMILIA PFS", &pfs, "HR 0.65");
    c.everywhere("EMILIA PFS", &pfs, "0.55–0.77");
    c.everywhere("EMILIA PFS", &pfs, "p < 0.001");
    let fact = s.finding_surfaces("emilia", "qol-toi");
    c.everywhere("EMILIA FACT-B", &fact, "HR 0.80");
    c.everywhere("EMILIA FACT-B", &fact, "0.67–0.95");
    c.everywhere("EMILIA FACT-B", &fact, "p = 0.012");
    let th = s.finding_surfaces("th3resa", "pfs");
    c.everywhere("TH3RESA PFS", &th, "HR 0.528");
    c.everywhere("TH3RESA PFS", &th, "0.442–0.661");
    c.everywhere("TH3RESA PFS", &th, "p < 0.0001");
    c.done();
}

#[test]
fn a_difference_reads_the_same_everywhere() {
    let s = Surfaces::new(bundled_library());
    let mut c = Check::default();
    let trr = s.finding_surfaces("ncch-retrospective", "trr");
    c.has("NCCH response", &trr, &EFFECT_CARDS);
    c.everywhere("NCCH response", &trr, "Diff −13.9 percentage points");
    c.everywhere("NCCH response", &trr, "p = 0.2566");
    c.nowhere("NCCH response", &trr, "-13.9");
    c.nowhere("NCCH response", &trr, "(no CI given");
    let m = Surfaces::new(mini_library());
    let orr = m.finding_surfaces("alpha", "orr");
    c.has("ALPHA response", &orr, &EFFECT_CARDS);
    c.everywhere("ALPHA response", &orr, "Diff 10 percentage points");
    c.everywhere("ALPHA response", &orr, "1–19");
    c.everywhere("ALPHA response", &orr, "p = 0.03");
    c.done();
}

#[test]
fn a_count_reads_the_same_everywhere() {
    let s = Surfaces::new(bundled_library());
    let mut c = Check::default();
    let stops = s.value_surfaces("ncch-retrospective", "discontinuation");
    c.has("NCCH stops", &stops, &CARDS);
    c.everywhere("NCCH stops", &stops, "38 patients");
    c.nowhere("NCCH stops", &stops, "pts");
    // One patient is "1 patient" wherever a safety table shows it.
    let safety = vec![
        (
            "detail".to_string(),
            s.detail_all("emilia", Section::Safety),
        ),
        ("show".into(), s.show("emilia")),
        ("markdown".into(), s.markdown("emilia")),
    ];
    c.everywhere("EMILIA heart failure", &safety, "1 patient");
    c.nowhere("EMILIA heart failure", &safety, "1 pts");
    c.done();
}

#[test]
fn not_reached_reads_the_same_everywhere() {
    let s = Surfaces::new(bundled_library());
    let mut c = Check::default();
    let dor = s.value_surfaces("tdm4450g", "dor");
    c.has("TDM4450G response duration", &dor, &CARDS);
    c.everywhere("TDM4450G response duration", &dor, "not reached");
    c.everywhere("TDM4450G response duration", &dor, "9.5 mo");
    c.done();
}

#[test]
fn no_figure_reads_the_same_everywhere_and_notes_stay_notes() {
    let s = Surfaces::new(bundled_library());
    let mut c = Check::default();
    let cbr = s.value_surfaces("tdm3569g", "cbr-mtd");
    c.has("TDM3569G benefit", &cbr, &CARDS);
    c.everywhere("TDM3569G benefit", &cbr, "73%");
    c.everywhere("TDM3569G benefit", &cbr, "no figure given");
    // TH3RESA's overall survival has no figure in either arm: the key result says so, and
    // the notes on the values are not printed as if they were the values.
    let os = s.value_surfaces("th3resa", "os");
    c.everywhere("TH3RESA OS", &os, "no figure given");
    let key = |text: String| -> String {
        text.lines()
            .find(|l| l.contains("Overall survival:"))
            .unwrap_or("")
            .to_string()
    };
    let overview = vec![
        (
            "detail".to_string(),
            key(s.detail_all("th3resa", Section::Overview)),
        ),
        ("show".into(), key(s.show("th3resa"))),
        ("markdown".into(), key(s.markdown("th3resa"))),
    ];
    c.everywhere(
        "TH3RESA OS key result",
        &overview,
        "Overall survival: no figure given",
    );
    c.nowhere("TH3RESA OS key result", &overview, "no median given");
    c.done();
}

#[test]
fn headlines_years_and_design_lines_read_the_same_everywhere() {
    let s = Surfaces::new(bundled_library());
    let mut c = Check::default();
    // A headline finding's key result, on every overview.
    let key = |text: String| -> String {
        text.lines()
            .find(|l| l.contains("Tumour response rate (best response"))
            .unwrap_or("")
            .to_string()
    };
    let overview = vec![
        (
            "detail".to_string(),
            key(s.detail_all("ncch-retrospective", Section::Overview)),
        ),
        ("show".into(), key(s.show("ncch-retrospective"))),
        ("markdown".into(), key(s.markdown("ncch-retrospective"))),
    ];
    c.everywhere("NCCH key result", &overview, "25.0%");
    c.everywhere("NCCH key result", &overview, "Diff −13.9 percentage points");
    c.everywhere("NCCH key result", &overview, "p = 0.2566");
    // A calendar year is a year, not a quantity with a unit glued on.
    let years = vec![
        (
            "detail".to_string(),
            s.detail_all("topic-landscape", Section::Findings),
        ),
        ("show".into(), s.show("topic-landscape")),
        ("markdown".into(), s.markdown("topic-landscape")),
    ];
    c.everywhere("landscape approvals", &years, "1998");
    c.nowhere("landscape approvals", &years, "1998calendar");
    c.nowhere("landscape approvals", &years, "1998 calendar");
    // A design line names the phase once: "Retrospective", never "Phase retrospective,
    // retrospective".
    let design = "Retrospective, single-institution, non-randomised, two-group comparison, routine clinical practice";
    let mut lines = vec![
        (
            "detail".to_string(),
            s.detail_all("ncch-retrospective", Section::Overview),
        ),
        ("show".into(), s.show("ncch-retrospective")),
        ("markdown".into(), s.markdown("ncch-retrospective")),
    ];
    if let Some(t) = s.card_text("ncch-retrospective", "design", FactKind::Design) {
        lines.push(("design card".into(), t));
    }
    lines.push(("rounds".into(), rounds_title(&s.lib, "ncch-retrospective")));
    c.everywhere("NCCH design", &lines, design);
    c.everywhere("NCCH design", &lines, "42 patients");
    c.nowhere("NCCH design", &lines, "hase retrospective");
    c.nowhere("NCCH design", &lines, "retrospective, retrospective");
    let emilia = vec![
        (
            "detail".to_string(),
            s.detail_all("emilia", Section::Overview),
        ),
        ("show".into(), s.show("emilia")),
        ("markdown".into(), s.markdown("emilia")),
        (
            "design card".into(),
            s.card_text("emilia", "design", FactKind::Design)
                .unwrap_or_default(),
        ),
        ("rounds".into(), rounds_title(&s.lib, "emilia")),
    ];
    c.everywhere("EMILIA design", &emilia, "Phase 3, randomised, open-label");
    c.everywhere("EMILIA design", &emilia, "991 patients");
    // The quiz header names only the trial: a design line there would give away the answer of
    // the design card (issue 16), so no design phrase is on a quiz card's front.
    for entry in ["emilia", "ncch-retrospective"] {
        let e = s.entry(entry);
        let line = trialdeck::format::design_line(e.design.as_ref().expect("a design"));
        let screen = quiz_header(&s, entry);
        if !screen.contains(e.name.as_str()) {
            c.0.push(format!("{entry}: the quiz header does not name the trial"));
        }
        let shown = squash(&screen);
        let first = line.split(" · ").next().unwrap_or_default();
        if shown.contains(first) {
            c.0.push(format!(
                "{entry}: the quiz header gives the design away: {shown}"
            ));
        }
    }
    c.done();
}

/// Text laid out on a screen, with the line breaks and indents of wrapping as single spaces.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The title screen of teaching rounds on `entry`, at 200×50.
fn rounds_title(lib: &Library, entry: &str) -> String {
    let mut app = trialdeck::tui::app::App::new(lib.clone(), ThemeName::Dark);
    app.update(Action::Resize(200, 50), common::NOW);
    let e = lib.index_of(entry).expect("entry");
    app.start_rounds(e, trialdeck::tui::app::RoundsOptions::default(), false);
    squash(&plain(&screen_text(&render(&app))))
}

/// The quiz screen on `entry`'s design fact card, at 200×50: its header.
fn quiz_header(s: &Surfaces, entry: &str) -> String {
    use trialdeck::review::{Filter, Scheduler};
    use trialdeck::tui::app::{Quiz, Screen, Session};
    let mut app = trialdeck::tui::app::App::new(s.lib.clone(), ThemeName::Dark);
    app.update(Action::Resize(200, 50), common::NOW);
    app.attach_history(&HashMap::new(), Scheduler::default(), false, None);
    app.start_quiz(Filter::default(), false);
    let id = CardId::fact(&s.pack(entry), entry, "design", FactKind::Design);
    let Some(card) = app.deck.index.get(id.as_str()) else {
        return String::new();
    };
    app.screen = Screen::Quiz(Box::new(Quiz::Running(Session::new(
        vec![card],
        Filter::default(),
        common::NOW,
    ))));
    plain(&screen_text(&render(&app)))
}
