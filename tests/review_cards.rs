//! Fact and question cards from the bundled pack; session queues and their filters.

mod common;
use common::bundled_library as lib;

use std::collections::HashMap;
use trialdeck::content::{EntryKind, Library, Role};
use trialdeck::review::cards::{CardText, FACT_TAG, entry_cards};
use trialdeck::review::queue::{self, Filter};
use trialdeck::review::{
    Card, CardId, CardIndex, CardKind, CardState, FactKind, Grade, Scheduler, build_cards,
};

const NOW: i64 = 1_750_000_000;

/// "Now" for queues: UTC days.
fn today() -> queue::Today {
    queue::Today {
        now: NOW,
        day: NOW.div_euclid(86_400),
        offset: 0,
    }
}

/// A review card (graduated) last graded `grade` at `last`, due at `due`.
fn review_state(last: i64, due: i64, grade: Grade) -> CardState {
    let mut s = Scheduler::default().review(None, Grade::Easy, last).state;
    s.due = due;
    s.last_grade = grade;
    s
}

fn card<'a>(cards: &'a [Card], id: &str) -> &'a Card {
    cards
        .iter()
        .find(|c| c.id.as_str() == id)
        .unwrap_or_else(|| panic!("no card {id}"))
}

fn text(lib: &Library, cards: &[Card], id: &str) -> CardText {
    card(cards, id)
        .text(lib)
        .expect("the library holds the card")
}

#[test]
fn emilia_pfs_fact_cards_agree_with_the_data() {
    let lib = lib();
    let cards = build_cards(&lib);
    let values = card(&cards, "her2-tdm1/f/emilia/pfs/values");
    let vt = text(&lib, &cards, "her2-tdm1/f/emilia/pfs/values");
    assert_eq!(values.kind, CardKind::Fact(FactKind::Values));
    assert_eq!(values.role, Role::Resident);
    assert_eq!(values.entry, "emilia");
    assert!(vt.prompt.contains("EMILIA"), "{}", vt.prompt);
    assert!(vt.prompt.contains("each arm"), "{}", vt.prompt);
    for needle in [
        "T-DM1: 9.6 mo",
        "Lapatinib + capecitabine: 6.4 mo",
        "HR 0.65 (95% CI 0.55–0.77)",
    ] {
        // On screen a number keeps its unit with a no-break space.
        let answer = vt.answer.replace('\u{a0}', " ");
        assert!(answer.contains(needle), "{needle} not in {answer}");
    }
    assert!(values.has_tag(FACT_TAG));

    assert!(values.has_tag("fact-values"));
    let effect = text(&lib, &cards, "her2-tdm1/f/emilia/os/effect");
    assert_eq!(
        card(&cards, "her2-tdm1/f/emilia/os/effect").role,
        Role::Fellow
    );
    assert!(
        effect
            .prompt
            .starts_with("Hazard ratio and 95% CI for Overall survival"),
        "{}",
        effect.prompt
    );
    assert!(
        effect
            .answer
            .starts_with("HR 0.68 (95% CI 0.55–0.85), p < 0.001"),
        "{}",
        effect.answer
    );
    assert_eq!(effect.key_points, vec!["HR 0.68", "95% CI 0.55–0.85"]);
}

#[test]
fn th3resa_design_card_names_size_and_comparator() {
    let lib = lib();
    let cards = build_cards(&lib);
    assert_eq!(
        card(&cards, "her2-tdm1/f/th3resa/design/design").role,
        Role::MedicalStudent
    );
    let d = text(&lib, &cards, "her2-tdm1/f/th3resa/design/design");
    assert_eq!(d.prompt, "Sample size and comparator of TH3RESA?");
    assert!(d.answer.contains("602 patients"), "{}", d.answer);
    assert!(
        d.answer.contains("Treatment of physician's choice"),
        "{}",
        d.answer
    );
}

#[test]
fn every_numeric_value_appears_in_its_card() {
    let lib = lib();
    let cards = build_cards(&lib);
    let by_id: HashMap<&str, &Card> = cards.iter().map(|c| (c.id.as_str(), c)).collect();
    let mut checked = 0;
    for e in lib.entries.iter().filter(|e| e.kind == EntryKind::Trial) {
        for f in &e.findings {
            for v in f.values.iter() {
                let Some(x) = v.value else { continue };
                let id = CardId::fact("her2-tdm1", &e.id, &f.id, FactKind::Values);
                let c = by_id
                    .get(id.as_str())
                    .unwrap_or_else(|| panic!("no card {id}"));
                let c = c.text(&lib).unwrap();
                let shown = trialdeck::format::figure(x);
                assert!(
                    c.answer.contains(&shown),
                    "{id}: {shown} missing from {}",
                    c.answer
                );
                if let Some(note) = &v.note {
                    assert!(c.answer.contains(note.as_str()), "{id}: note missing");
                    assert!(!c.caveats.is_empty());
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 50, "only {checked} values");
}

#[test]
fn arm_not_stated_and_disagreeing_sources_are_said_on_the_answer() {
    let lib = lib();
    let mut e = lib.entry("emilia").unwrap().clone();
    let f = e
        .findings
        .iter_mut()
        .find(|f| f.id == "pfs-her2-high")
        .unwrap();
    f.values[0].arm = None;
    let index = lib.index_of("emilia").unwrap();
    let mut changed = lib.clone();
    changed.entries[index] = e.clone();
    let mut out = Vec::new();
    entry_cards("her2-tdm1", &e, index, &mut out);
    let c = out
        .iter()
        .find(|c| c.id.as_str() == "her2-tdm1/f/emilia/pfs-her2-high/values")
        .unwrap()
        .text(&changed)
        .unwrap();
    assert!(
        c.answer.starts_with("Arm not stated: 10.6\u{a0}mo"),
        "{}",
        c.answer
    );
    assert!(
        c.caveats
            .iter()
            .any(|x| x.contains("does not name the arm"))
    );

    // EMILIA's OS finding is touched by a discrepancy: both OS cards say the sources disagree.
    let cards = build_cards(&lib);
    let touched: Vec<&str> = e
        .discrepancies
        .iter()
        .flat_map(|d| d.findings.iter().map(|f| f.as_str()))
        .collect();
    assert!(!touched.is_empty());
    for fid in touched {
        let id = CardId::fact("her2-tdm1", "emilia", fid, FactKind::Values);
        if let Some(c) = cards.iter().find(|c| c.id == id) {
            let c = c.text(&lib).unwrap();
            assert!(c.answer.contains("Sources disagree"), "{id}: {}", c.answer);
        }
    }
}

#[test]
fn question_cards_keep_their_ids_and_points() {
    let lib = lib();
    let cards = build_cards(&lib);
    let questions: Vec<&Card> = cards
        .iter()
        .filter(|c| c.kind == CardKind::Question)
        .collect();
    assert_eq!(questions.len(), lib.question_count());
    let q = card(&cards, "her2-tdm1/q/emilia-student");
    assert_eq!(q.role, Role::MedicalStudent);
    assert!(!q.is_fact());
    let t = q.text(&lib).unwrap();
    let src = &lib.entry("emilia").unwrap().questions[q.item];
    assert_eq!(t.prompt, src.prompt);
    assert_eq!(t.key_points, src.key_points);
    // Text changed in a new pack version: same id, new text.
    let mut edited = lib.clone();
    let i = edited.index_of("emilia").unwrap();
    edited.entries[i].questions[q.item].prompt = "Reworded?".into();
    let again = build_cards(&edited);
    let q2 = card(&again, "her2-tdm1/q/emilia-student");
    assert_eq!(q2.text(&edited).unwrap().prompt, "Reworded?");
    // Topics carry no fact cards.
    assert!(
        !cards
            .iter()
            .any(|c| c.is_fact() && c.entry.starts_with("topic-"))
    );
    // Ids are unique.
    let mut ids: Vec<&str> = cards.iter().map(|c| c.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), cards.len());
}

#[test]
fn queue_filters_by_role_trial_topic_and_facts() {
    let cards = build_cards(&lib());
    let states = vec![None; cards.len()];
    let f = Filter {
        roles: vec![Role::Fellow],
        trials: vec!["emilia".into()],
        ..Filter::default()
    };
    let q = queue::build(&cards, &states, &f, &today());
    assert!(!q.is_empty());
    for &i in &q {
        assert_eq!(cards[i].role, Role::Fellow);
        assert_eq!(cards[i].entry, "emilia");
    }
    assert!(q.iter().any(|&i| cards[i].is_fact()));
    assert!(q.iter().any(|&i| !cards[i].is_fact()));

    let facts = Filter {
        topics: vec!["#fact".into()],
        ongoing_facts: true,
        ..Filter::default()
    };
    let q = queue::build(&cards, &states, &facts, &today());
    assert!(q.iter().all(|&i| cards[i].is_fact()));
    let no_facts = Filter {
        no_facts: true,
        ..Filter::default()
    };
    let q2 = queue::build(&cards, &states, &no_facts, &today());
    assert!(q2.iter().all(|&i| !cards[i].is_fact()));
    assert_eq!(q.len() + q2.len(), cards.len());
}

#[test]
fn queue_orders_due_then_new_and_honours_flags() {
    let cards = build_cards(&lib());
    let ids: Vec<String> = cards.iter().map(|c| c.id.0.clone()).collect();
    let mut map = HashMap::new();
    let states = &mut map;
    // 0: long overdue, 1: just due, 2: not yet due, 3: missed (last grade Again), not due.
    let overdue = review_state(NOW - 60 * 86_400, NOW - 50 * 86_400, Grade::Good);
    states.insert(ids[0].clone(), overdue);
    states.insert(
        ids[1].clone(),
        review_state(NOW - 4 * 86_400, NOW - 1, Grade::Good),
    );
    states.insert(
        ids[2].clone(),
        review_state(NOW - 86_400, NOW + 3 * 86_400, Grade::Good),
    );
    states.insert(
        ids[3].clone(),
        review_state(NOW - 3600, NOW + 86_400, Grade::Again),
    );
    // A card no longer in the pack: ignored.
    states.insert("her2-tdm1/q/removed".into(), overdue);
    let states = CardIndex::new(&cards).align(&map);

    // (Fact cards of ongoing trials are opt-in; this counts every card.)
    let all = Filter {
        ongoing_facts: true,
        ..Filter::default()
    };
    let q = queue::build(&cards, &states, &all, &today());
    assert_eq!(&q[..2], &[0, 1], "most forgotten first");
    assert_eq!(q[2], 4, "then new cards in pack order");
    assert!(!q.contains(&2) && !q.contains(&3));
    assert_eq!(q.len(), cards.len() - 2);

    let c = queue::counts(&cards, &states, &[], &all, &today());
    assert_eq!(
        (c.due, c.new, c.missed, c.total),
        (2, cards.len() - 4, 1, cards.len())
    );

    let due = Filter {
        due: true,
        ongoing_facts: true,
        ..Filter::default()
    };
    assert_eq!(queue::build(&cards, &states, &due, &today()), vec![0, 1]);
    let missed = Filter {
        missed: true,
        ongoing_facts: true,
        ..Filter::default()
    };
    assert_eq!(queue::build(&cards, &states, &missed, &today()), vec![3]);
    let new3 = Filter {
        new: true,
        count: Some(3),
        ongoing_facts: true,
        ..Filter::default()
    };
    assert_eq!(
        queue::build(&cards, &states, &new3, &today()),
        vec![4, 5, 6]
    );

    // Shuffle: same seed, same order; different seed, different order; same cards.
    let s1 = Filter {
        shuffle: Some(7),
        ongoing_facts: true,
        ..Filter::default()
    };
    let a = queue::build(&cards, &states, &s1, &today());
    assert_eq!(a, queue::build(&cards, &states, &s1, &today()));
    let b = queue::build(
        &cards,
        &states,
        &Filter {
            shuffle: Some(8),
            ongoing_facts: true,
            ..Filter::default()
        },
        &today(),
    );
    assert_ne!(a, b);
    let (mut sa, mut sq) = (a.clone(), q.clone());
    sa.sort();
    sq.sort();
    assert_eq!(sa, sq);

    let (by_role, by_entry) = queue::breakdown(&cards, &states, &[], &all, &today());
    assert_eq!(
        by_role.values().map(|c| c.total).sum::<usize>(),
        cards.len()
    );
    assert_eq!(by_entry.values().map(|c| c.due).sum::<usize>(), 2);
}

/// The figures of a text: numbers standing alone (not inside a name such as T-DM1, HER2 or
/// TDM4450g), with the standard phrase "95% CI" left out.
fn figures(s: &str) -> std::collections::BTreeSet<String> {
    let s = s.replace("95% CI", "");
    let chars: Vec<char> = s.chars().collect();
    let mut out = std::collections::BTreeSet::new();
    let mut i = 0;
    while i < chars.len() {
        // Not inside a name: T-DM1, HER2, GDC-0941, TDM4450g.
        let after_name = i >= 2 && chars[i - 1] == '-' && chars[i - 2].is_alphanumeric();
        let starts = chars[i].is_ascii_digit()
            && !after_name
            && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '.'));
        if !starts {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < chars.len()
            && (chars[j].is_ascii_digit()
                || (chars[j] == '.' && chars.get(j + 1).is_some_and(char::is_ascii_digit)))
        {
            j += 1;
        }
        if !chars.get(j).is_some_and(|c| c.is_alphabetic()) {
            out.insert(chars[i..j].iter().collect());
        }
        i = j;
    }
    out
}

#[test]
fn figures_are_read_as_a_reader_would() {
    let f = |s: &str| figures(s).into_iter().collect::<Vec<_>>();
    assert_eq!(
        f("T-DM1: 41% vs 57.0% (95% CI 0.55–0.77)"),
        ["0.55", "0.77", "41", "57.0"]
    );
    assert_eq!(
        f("HER2-positive, TDM4450g, BYL719, GDC-0941 and 2nd line"),
        Vec::<String>::new()
    );
    assert_eq!(f("Grade ≥3 adverse events"), ["3"]);
}

/// No card's front (its header and its question) gives its answer away: no figure of a key
/// point is on the front, and no key point is written there whole. Every card of the bundled
/// pack and the mini pack is checked. A discussion question may state figures as its givens
/// ("EMILIA reports 9.6 versus 6.4 months… what does each number tell you?"), so for those
/// the figure check reads the header alone.
#[test]
fn no_front_gives_its_answer_away() {
    let mini = trialdeck::pack::load(&[trialdeck::content::PackSource::Dir(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/good/mini"),
    )])
    .unwrap()
    .library;
    let mut checked = 0;
    let mut problems = Vec::new();
    for lib in [lib(), mini] {
        for c in build_cards(&lib) {
            let t = c.text(&lib).expect("every card has its text");
            let front = format!("{}\n{}", t.header, t.prompt);
            let front_figures = figures(if c.is_fact() { &front } else { &t.header });
            let lower = front.to_lowercase();
            for k in &t.key_points {
                // A fact card's point is "arm: value" (the arm's label is not the answer).
                let answer = if c.is_fact() {
                    k.rsplit_once(": ").map_or(k.as_str(), |(_, v)| v)
                } else {
                    k.as_str()
                };
                let shared: Vec<String> = figures(answer)
                    .intersection(&front_figures)
                    .cloned()
                    .collect();
                if !shared.is_empty() {
                    problems.push(format!(
                        "{}: {shared:?} of {k:?} on the front {front:?}",
                        c.id
                    ));
                }
                // The point whole, and (for "label: value" points) its value.
                let value = k.split_once(": ").map_or(k.as_str(), |(_, v)| v);
                for phrase in [k.as_str(), value] {
                    if phrase.len() > 3 && lower.contains(&phrase.to_lowercase()) {
                        problems.push(format!("{}: {phrase:?} on the front {front:?}", c.id));
                    }
                }
            }
            checked += 1;
        }
    }
    assert!(checked > 250, "{checked} cards checked");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
