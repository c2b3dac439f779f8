//! `trialdeck optimize`: the learner's own FSRS parameters fitted to a generated history of
//! over a thousand reviews lower the log loss on it, are stored in the history, and schedule
//! from then on; stats say when a fit is due.

use std::path::Path;
use trialdeck::review::optimize::{self, OptimizeDue};
use trialdeck::review::{Access, Grade, Scheduler, Store, history};

const START: i64 = 1_700_000_000;
const DAY: i64 = 86_400;

fn generated(dir: &Path) -> usize {
    let reviews = trialdeck::dev::history::simulate(200, 150, START, 7);
    let mut store = Store::open(dir, Scheduler::default()).unwrap();
    store.record_many(&reviews).unwrap();
    reviews.len()
}

#[test]
fn optimize_fits_a_generated_history_lowers_its_log_loss_and_schedules_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let n = generated(dir.path());
    assert!(n >= 1000, "{n} reviews");
    let store = Store::open(dir.path(), Scheduler::default()).unwrap();
    let reviews = store.reviews_in_force().unwrap();
    let now = START + 151 * DAY;
    // Before: due, with enough reviews.
    let items = optimize::items(&reviews, store.scheduler()).0.len();
    assert!(items >= optimize::MIN_ITEMS, "{items}");
    assert!(matches!(
        optimize::due(items, None, now),
        OptimizeDue::Due { .. }
    ));
    let report = optimize::fit(&reviews, store.scheduler()).unwrap();
    eprintln!(
        "{} reviews, {} items: log loss {:.4} -> {:.4}, RMSE {:.4} -> {:.4}",
        report.reviews,
        report.items,
        report.before.log_loss,
        report.after.log_loss,
        report.before.rmse,
        report.after.rmse
    );
    assert!(
        report.after.log_loss < report.before.log_loss,
        "the fit lowers the log loss: {report:?}"
    );
    assert!(report.better);
    assert_eq!(report.parameters.len(), 21);
    drop(store);

    // The binary: it reports the fit and stores the parameters.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_trialdeck"))
        .args(["--data-dir"])
        .arg(dir.path())
        .args(["--config"])
        .arg(dir.path().join("config.ron"))
        .arg("optimize")
        .env("TRIALDECK_NOW", "2024-03-14T09:00:00Z")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("log loss"), "{text}");
    assert!(text.contains("before (defaults)"), "{text}");
    assert!(text.contains("they are saved in the history"), "{text}");

    // Scheduling uses them: the history opens with them, and a new card's Easy interval
    // differs from the defaults'.
    let h = history::open(
        Some(dir.path()),
        false,
        Scheduler::default(),
        Access::Strict,
    )
    .unwrap();
    let sched = h.store.scheduler();
    assert!(sched.fitted);
    let fitted = h.store.fitted().unwrap().unwrap();
    assert_eq!(sched.parameters, fitted.parameters);
    assert!(fitted.log_loss_after < fitted.log_loss_before);
    let mine = sched.review(None, Grade::Easy, now).interval_days;
    let default = Scheduler::default()
        .review(None, Grade::Easy, now)
        .interval_days;
    assert_ne!(
        mine, default,
        "the learner forgets faster than the defaults say"
    );
    assert!(mine < default, "{mine} vs {default}");
    // Stats no longer say a fit is due.
    assert_eq!(
        optimize::due(items, Some(&fitted), now),
        OptimizeDue::Fitted
    );
}

#[test]
fn optimize_says_how_many_reviews_it_needs() {
    let dir = tempfile::tempdir().unwrap();
    let reviews = trialdeck::dev::history::simulate(5, 20, START, 3);
    let mut store = Store::open(dir.path(), Scheduler::default()).unwrap();
    store.record_many(&reviews).unwrap();
    let err = optimize::fit(&store.reviews_in_force().unwrap(), store.scheduler()).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("needs at least 400 reviews"), "{msg}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_trialdeck"))
        .args(["--data-dir"])
        .arg(dir.path())
        .args(["--config"])
        .arg(dir.path().join("config.ron"))
        .arg("optimize")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("needs at least 400"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
