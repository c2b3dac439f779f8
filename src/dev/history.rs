//! Synthetic review histories: a learner whose memory follows FSRS with parameters of their
//! own (not the defaults), reviewed on the schedule the app gives. `trialdeck optimize` should
//! find parameters that predict such a log better than the defaults do.

use crate::review::CardId;
use crate::review::fsrs::{DAY, Grade, Scheduler, Steps};
use crate::review::store::NewReview;

/// The "true" memory of the simulated learner: they forget faster than the average Anki user
/// (first stabilities a third of the defaults', slower growth).
pub fn learner_parameters() -> Vec<f32> {
    let mut w = fsrs::DEFAULT_PARAMETERS.to_vec();
    for s in &mut w[..4] {
        *s /= 3.0;
    }
    w[8] *= 0.7;
    w
}

/// `cards` cards reviewed over `days` days from `start` (unix seconds), at most one review a
/// card a day, each on the app's schedule (the default scheduler, without steps); whether it
/// is recalled is drawn from the learner's own memory. Same seed, same history.
pub fn simulate(cards: usize, days: i64, start: i64, seed: u64) -> Vec<NewReview> {
    let no_steps = Steps {
        learning: vec![],
        relearning: vec![],
    };
    let app = Scheduler::default().with_steps(no_steps.clone());
    let truth = Scheduler::default()
        .with_steps(no_steps)
        .with_parameters(&learner_parameters())
        .expect("valid parameters");
    let mut rng = seed | 1;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut out = Vec::new();
    for c in 0..cards {
        let id = CardId(format!("sim/q/card-{c}"));
        // Cards are introduced a few a day.
        let mut at = start + (c as i64 / 5) * DAY + 9 * 3600;
        let (mut shown, mut real) = (None, None);
        while at < start + days * DAY {
            let grade = match real.as_ref() {
                None => Grade::Good,
                Some(s) => {
                    let r = truth.recall_probability(s, at);
                    if next() < r {
                        if next() < 0.15 {
                            Grade::Hard
                        } else if next() < 0.1 {
                            Grade::Easy
                        } else {
                            Grade::Good
                        }
                    } else {
                        Grade::Again
                    }
                }
            };
            out.push(NewReview {
                card: id.clone(),
                at,
                grade,
                points: 0,
                points_total: 0,
                duration_ms: 8000,
            });
            let s = app.review(shown.as_ref(), grade, at).state;
            real = Some(truth.review(real.as_ref(), grade, at).state);
            at = s.due.max(at + DAY);
            shown = Some(s);
        }
    }
    out.sort_by_key(|r| r.at);
    out
}
