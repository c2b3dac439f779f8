//! Search over the bundled pack as a reader types it: adverse events are a kind of their own,
//! an endpoint's initials or an adverse event outrank a letter run inside a trial's name, an
//! entry's own findings outrank another entry's text that mentions it, and a safety hit opens
//! the Safety section on its row.

mod common;

use common::{Looped, NOW, bundled_library};
use std::sync::Arc;
use trialdeck::search::{Kind, SearchIndex, Searcher};
use trialdeck::tui::app::{App, Focus, Section};
use trialdeck::tui::theme::ThemeName;

fn search(q: &str, limit: usize) -> Vec<trialdeck::search::Hit> {
    let mut s = Searcher::new(SearchIndex::build(Arc::new(bundled_library())));
    s.search(q, limit)
}

fn ids(hits: &[trialdeck::search::Hit]) -> Vec<String> {
    hits.iter()
        .map(|h| match &h.item {
            Some(i) => format!("{}/{i}", h.entry),
            None => h.entry.clone(),
        })
        .collect()
}

#[test]
fn an_adverse_event_is_found_as_safety_and_named_with_its_grade() {
    let hits = search("thrombocytopenia", 10);
    let safety: Vec<_> = hits.iter().filter(|h| h.kind == Kind::Safety).collect();
    assert!(safety.len() >= 3, "{:?}", ids(&hits));
    assert_eq!(hits[0].kind, Kind::Safety, "{:?}", ids(&hits));
    assert!(
        safety
            .iter()
            .any(|h| h.title.contains("Thrombocytopenia (grade ≥3)")),
        "{:?}",
        safety.iter().map(|h| &h.title).collect::<Vec<_>>()
    );
    // #safety keeps only adverse events.
    let only = search("#safety emilia", 20);
    assert!(!only.is_empty());
    assert!(only.iter().all(|h| h.kind == Kind::Safety));
    assert!(
        only.iter()
            .any(|h| h.title.contains("T-DM1 41% · Lapatinib + capecitabine 57%")),
        "{:?}",
        only.iter().map(|h| &h.title).collect::<Vec<_>>()
    );
}

#[test]
fn initials_outrank_a_letter_run_inside_a_trials_name() {
    let hits = search("os", 10);
    let first_trial = hits
        .iter()
        .position(|h| h.entry == "neosphere")
        .unwrap_or(usize::MAX);
    let first_os = hits
        .iter()
        .position(|h| h.kind == Kind::Finding && h.title.contains("Overall survival"))
        .expect("an overall-survival finding");
    assert!(first_os < first_trial, "{:?}", ids(&hits));
    assert_eq!(first_os, 0, "{:?}", ids(&hits));
}

#[test]
fn an_entrys_own_finding_outranks_another_entry_that_mentions_it() {
    let hits = search("emilia pfs", 10);
    let own = hits
        .iter()
        .position(|h| h.entry == "emilia" && h.kind == Kind::Finding);
    let other = hits
        .iter()
        .position(|h| h.entry != "emilia" && h.kind == Kind::Finding);
    assert!(own.is_some(), "{:?}", ids(&hits));
    assert!(own < other.or(Some(usize::MAX)), "{:?}", ids(&hits));
    assert!(own.unwrap() <= 1, "{:?}", ids(&hits));
}

#[test]
fn a_safety_hit_opens_the_safety_section_on_its_row() {
    let mut l = Looped::new(App::new(bundled_library(), ThemeName::Dark), 120, 40, NOW);
    l.press("/");
    l.type_text("#safety congestive");
    assert!(
        l.screen().contains("Congestive heart failure"),
        "{}",
        l.screen()
    );
    l.press("Enter");
    let b = &l.app().browse;
    assert_eq!((b.focus, b.section), (Focus::Detail, Section::Safety));
    let e = &l.app().lib.entries[b.current().unwrap()];
    let row = e
        .safety
        .iter()
        .position(|s| s.event.as_str().starts_with("Congestive"))
        .unwrap();
    assert_eq!(b.item, row, "the event's own row is selected");
    assert!(l.screen().contains("Source:"), "{}", l.screen());
}
