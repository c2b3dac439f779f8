//! Stats over a recorded history, and the session summary.

use std::collections::HashMap;
use trialdeck::content::{Role, load_bundled};
use trialdeck::review::queue::Today;
use trialdeck::review::stats::{self, SessionReview, WINDOW_DAYS};
use trialdeck::review::store::NewReview;
use trialdeck::review::{Card, CardId, CardIndex, Grade, Scheduler, Steps, Store, build_cards};

/// A scheduler without learning steps: these tests count days.
fn days_only() -> Scheduler {
    Scheduler::default().with_steps(Steps {
        learning: vec![],
        relearning: vec![],
    })
}

fn today(now: i64) -> Today {
    Today {
        now,
        day: now.div_euclid(DAY),
        offset: 0,
    }
}

const DAY: i64 = 86_400;
// 2025-06-15 12:00:00 UTC
const NOW: i64 = 1_749_988_800;

fn cards() -> (Vec<Card>, HashMap<String, String>) {
    let lib = load_bundled().unwrap().library;
    let names = lib
        .entries
        .iter()
        .map(|e| (e.id.to_string(), e.name.to_string()))
        .collect();
    (build_cards(&lib), names)
}

fn rec(card: &CardId, at: i64, grade: Grade) -> NewReview {
    NewReview {
        card: card.clone(),
        at,
        grade,
        points: 0,
        points_total: 0,
        duration_ms: 5000,
    }
}

#[test]
fn stats_count_due_reviews_retention_and_forecast() {
    let (cards, names) = cards();
    let mut store = Store::no_save(days_only());
    let student = CardId("her2-tdm1/q/emilia-student".into());
    let fellow = CardId("her2-tdm1/q/emilia-fellow".into());
    let gone = CardId("her2-tdm1/q/no-longer-in-pack".into());
    // student: Good 10 days ago (due in 3 days → 7 days ago), then Good 2 days ago.
    store
        .record(&rec(&student, NOW - 10 * DAY, Grade::Good))
        .unwrap();
    store
        .record(&rec(&student, NOW - 2 * DAY, Grade::Good))
        .unwrap();
    // fellow: Good 5 days ago, then forgotten today.
    store
        .record(&rec(&fellow, NOW - 5 * DAY, Grade::Good))
        .unwrap();
    let lapse = store
        .record(&rec(&fellow, NOW - 3600, Grade::Again))
        .unwrap();
    // A removed card's history is kept and ignored.
    store.record(&rec(&gone, NOW - 3600, Grade::Again)).unwrap();

    let states = store.states().unwrap();
    assert_eq!(states.len(), 3, "the removed card's history is kept");
    let index = CardIndex::new(&cards);
    let aligned = store.states_aligned(&index).unwrap();
    assert_eq!(aligned, index.align(&states));
    assert_eq!(aligned.iter().flatten().count(), 2, "and ignored");
    let reviews = store.reviews_since(NOW - 30 * DAY).unwrap();
    let s = stats::compute(&cards, &index, &aligned, &[], &reviews, &names, &today(NOW));

    assert_eq!(s.total_cards, cards.len());
    assert_eq!(s.new_cards, cards.len() - 2);
    assert_eq!(s.reviews_per_day.len(), WINDOW_DAYS);
    assert_eq!(s.reviews_per_day.last().unwrap().date, "2025-06-15");
    assert_eq!(
        s.reviews_per_day.last().unwrap().count,
        1,
        "the removed card is not counted"
    );
    assert_eq!(s.reviews_per_day.iter().map(|d| d.count).sum::<u32>(), 4);
    // The lapsed card is due tomorrow (interval 1 day).
    assert_eq!(lapse.interval_days, 1);
    assert_eq!(s.due_today, 0);
    assert_eq!(s.due_tomorrow, 1, "stats say what is due tomorrow");
    assert_eq!(s.forecast[0].date, "2025-06-15");
    assert_eq!(s.forecast[1].count, 1);
    // The text labels both charts: the count on the axis, the dates, what a column is.
    let text = stats::render_text(&s);
    assert!(text.contains("due tomorrow 1"), "{text}");
    assert!(
        text.contains("(one column a day; height: reviews that day)"),
        "{text}"
    );
    assert!(
        text.contains("(one column a day; height: cards due that day)"),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l.trim_start().starts_with("1 |")),
        "{text}"
    );
    // The student card, recalled after 8 days, is next due beyond the week but within 30 days.
    let student_due_in = (states[student.as_str()].due - NOW) / DAY;
    assert!((7..30).contains(&student_due_in), "{student_due_in}");
    assert_eq!(s.due_week, 1);
    assert_eq!(s.forecast.iter().map(|d| d.count).sum::<u32>(), 2);

    // Retention counts second reviews only: student passed, fellow failed.
    let role = |r: Role| {
        s.retention_by_role
            .iter()
            .find(|x| x.key == r.slug())
            .unwrap()
    };
    assert_eq!(
        (
            role(Role::MedicalStudent).reviews,
            role(Role::MedicalStudent).passed
        ),
        (1, 1)
    );
    assert_eq!(
        (role(Role::Fellow).reviews, role(Role::Fellow).passed),
        (1, 0)
    );
    assert_eq!(s.retention_by_trial.len(), 1);
    assert_eq!(s.retention_by_trial[0].label, "EMILIA");
    assert_eq!(s.retention_by_trial[0].rate, 0.5);

    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["forecast"].as_array().unwrap().len(), WINDOW_DAYS);
    assert!(json["retention_by_role"][0]["rate"].is_number());
}

#[test]
fn session_summary_names_the_weakest_role_and_trial() {
    let (cards, names) = cards();
    let r = |id: &str, grade, points, total| SessionReview {
        card: CardId(format!("her2-tdm1/q/{id}")),
        grade,
        points,
        points_total: total,
        duration_ms: 20_000,
    };
    let reviews = vec![
        r("emilia-student", Grade::Good, 0b1111, 4),
        r("th3resa-student", Grade::Good, 0b111, 3),
        r("emilia-fellow", Grade::Again, 0b1, 4),
        r("th3resa-fellow", Grade::Hard, 0b11, 4),
        // The same card again in the session (a learning step): recall reads the first.
        r("emilia-fellow", Grade::Good, 0b1111, 4),
    ];
    let index = CardIndex::new(&cards);
    let s = stats::summarize(&cards, &index, &reviews, &names);
    assert_eq!(s.seen, 4, "four cards");
    assert_eq!(s.reviews, 5, "five reviews");
    assert_eq!(s.grades, [1, 1, 3, 0]);
    assert_eq!(s.time_ms, 100_000);
    assert_eq!(s.missed, vec![CardId("her2-tdm1/q/emilia-fellow".into())]);
    let fellow = s.recall_by_role.iter().find(|x| x.key == "fellow").unwrap();
    assert_eq!((fellow.points_ticked, fellow.points_total), (3, 8));
    assert_eq!(s.weakest_role.as_deref(), Some("Fellow"));
    // EMILIA (1 + 1/4) / 2 = 0.625; TH3RESA (1 + 1/2) / 2 = 0.75.
    assert_eq!(s.weakest_trial.as_deref(), Some("EMILIA"));

    let perfect = stats::summarize(&cards, &index, &reviews[..2], &names);
    assert_eq!(perfect.weakest_role, None);
    assert!(perfect.missed.is_empty());
}

/// The report: graded without ticks, ATEMPT (Good, Easy, Good) showed 0% and
/// Dzimitrowicz (mostly Good) was "weakest". Without ticks the grades speak.
#[test]
fn a_summary_without_ticks_agrees_with_the_grades() {
    let (cards, names) = cards();
    let index = CardIndex::new(&cards);
    let ids: Vec<&Card> = cards
        .iter()
        .filter(|c| c.entry == "atempt")
        .take(3)
        .collect();
    let dz: Vec<&Card> = cards
        .iter()
        .filter(|c| c.entry == "dzimitrowicz")
        .take(5)
        .collect();
    assert_eq!((ids.len(), dz.len()), (3, 5));
    let r = |c: &Card, grade| SessionReview {
        card: c.id.clone(),
        grade,
        points: 0,
        points_total: 4,
        duration_ms: 1000,
    };
    let mut reviews = vec![
        r(ids[0], Grade::Good),
        r(ids[1], Grade::Easy),
        r(ids[2], Grade::Good),
    ];
    for (c, g) in dz.iter().zip([
        Grade::Good,
        Grade::Good,
        Grade::Hard,
        Grade::Good,
        Grade::Again,
    ]) {
        reviews.push(r(c, g));
    }
    let s = stats::summarize(&cards, &index, &reviews, &names);
    let atempt = s
        .recall_by_trial
        .iter()
        .find(|x| x.key == "atempt")
        .unwrap();
    assert_eq!(atempt.rate, 1.0, "Good, Easy, Good is full recall, not 0%");
    assert_eq!(atempt.by_points, 0);
    let d = s
        .recall_by_trial
        .iter()
        .find(|x| x.key == "dzimitrowicz")
        .unwrap();
    assert!(d.rate > 0.5 && d.rate < 1.0, "{}", d.rate);
    assert_eq!(
        s.weakest_trial, None,
        "a trial graded mostly Good/Easy is never the weakest"
    );
    // With ticks, the key points speak: one of four ticked on a card graded Good.
    let ticked = vec![SessionReview {
        points: 0b1,
        ..r(ids[0], Grade::Good)
    }];
    let s = stats::summarize(&cards, &index, &ticked, &names);
    assert_eq!(s.recall_by_trial[0].rate, 0.25);
}
