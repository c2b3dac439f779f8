//! `trialdeck optimize`: fit the learner's own FSRS parameters to their review log with the
//! `fsrs` crate's optimizer (the one Anki runs), and say how well the parameters before and
//! after predict that log (log loss and RMSE over bins, the crate's own measures).
//!
//! The log becomes the crate's training items as Anki makes them: each card's reviews in
//! order, with the days between them counted between calendar days; every review made on a
//! later day than the card's previous one is an item (the reviews before it are its history).
//! Same-day reviews (learning steps) are part of the history but are not items themselves.

use super::fsrs::Scheduler;
use super::store::{Fitted, ReviewRow};
use std::collections::HashMap;

/// Items (reviews on a later day than the card's previous one) needed before a fit: fewer
/// and the crate would mostly return its defaults.
pub const MIN_ITEMS: usize = 400;

/// Days after a fit when another is suggested (if the log has grown since).
pub const REFIT_DAYS: i64 = 30;

/// How well parameters predict the log.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Fit {
    pub log_loss: f64,
    pub rmse: f64,
}

/// What a fit found.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Report {
    /// Reviews in the log (in force).
    pub reviews: usize,
    /// Of them, items the fit learns from.
    pub items: usize,
    /// The parameters in use before, and how well they predict the log.
    pub before: Fit,
    pub after: Fit,
    pub parameters: Vec<f32>,
    /// Whether the new parameters predict the log better (and so are kept).
    pub better: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum OptimizeError {
    #[error(
        "optimize needs at least {need} reviews made on a later day than the card's previous \
         review; this history has {have} (of {reviews} reviews in all). Keep reviewing and try again"
    )]
    NotEnough {
        have: usize,
        need: usize,
        reviews: usize,
    },
    #[error("the FSRS optimizer failed: {0}")]
    Fsrs(String),
}

/// The log as the crate's training items, with the card each comes from.
pub fn items(reviews: &[ReviewRow], sched: &Scheduler) -> (Vec<fsrs::FSRSItem>, Vec<i64>) {
    let mut by_card: HashMap<&str, Vec<&ReviewRow>> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    for r in reviews {
        let v = by_card.entry(r.card.as_str()).or_insert_with(|| {
            order.push(r.card.as_str());
            Vec::new()
        });
        v.push(r);
    }
    let mut items = Vec::new();
    let mut ids = Vec::new();
    for (n, card) in order.iter().enumerate() {
        let mut rs = by_card[card].clone();
        rs.sort_by_key(|r| (r.at, r.id));
        let mut history: Vec<fsrs::FSRSReview> = Vec::with_capacity(rs.len());
        let mut last_day = None;
        for r in rs {
            let day = sched.day(r.at);
            let delta_t = last_day.map_or(0, |d: i64| (day - d).max(0)) as u32;
            last_day = Some(day);
            history.push(fsrs::FSRSReview {
                rating: r.grade.value() as u32,
                delta_t,
            });
            if history.len() > 1 && delta_t > 0 {
                items.push(fsrs::FSRSItem {
                    reviews: history.clone(),
                });
                ids.push(n as i64);
            }
        }
    }
    (items, ids)
}

/// How well `sched`'s parameters predict `items`.
pub fn evaluate(sched: &Scheduler, items: &[fsrs::FSRSItem]) -> Result<Fit, OptimizeError> {
    let e = sched
        .model()
        .evaluate(items.to_vec(), |_| true)
        .map_err(|e| OptimizeError::Fsrs(e.to_string()))?;
    Ok(Fit {
        log_loss: e.log_loss as f64,
        rmse: e.rmse_bins as f64,
    })
}

/// Fit parameters to `reviews` (the whole log in force), starting from `sched`'s.
pub fn fit(reviews: &[ReviewRow], sched: &Scheduler) -> Result<Report, OptimizeError> {
    let (train, ids) = items(reviews, sched);
    if train.len() < MIN_ITEMS {
        return Err(OptimizeError::NotEnough {
            have: train.len(),
            need: MIN_ITEMS,
            reviews: reviews.len(),
        });
    }
    let before = evaluate(sched, &train)?;
    let parameters = fsrs::compute_parameters(fsrs::ComputeParametersInput {
        train_set: train.clone(),
        card_ids: Some(ids),
        enable_short_term: true,
        num_relearning_steps: Some(sched.steps.relearning.len()),
        ..fsrs::ComputeParametersInput::default()
    })
    .map_err(|e| OptimizeError::Fsrs(e.to_string()))?;
    let fitted = sched
        .clone()
        .with_parameters(&parameters)
        .map_err(OptimizeError::Fsrs)?;
    let after = evaluate(&fitted, &train)?;
    Ok(Report {
        reviews: reviews.len(),
        items: train.len(),
        better: after.log_loss < before.log_loss,
        before,
        after,
        parameters: fitted.parameters.clone(),
    })
}

/// Whether stats should suggest `trialdeck optimize`, and why: `items` usable now, the fit in
/// force (if any), at `now`.
pub fn due(items: usize, fitted: Option<&Fitted>, now: i64) -> OptimizeDue {
    match fitted {
        _ if items < MIN_ITEMS => OptimizeDue::NotYet {
            have: items,
            need: MIN_ITEMS,
        },
        None => OptimizeDue::Due {
            why: format!("{items} reviews to learn from and no fit yet"),
        },
        Some(f) if items as u64 >= f.reviews * 3 / 2 => OptimizeDue::Due {
            why: format!("{items} reviews now, {} at the last fit", f.reviews),
        },
        Some(f) if now - f.at >= REFIT_DAYS * super::fsrs::DAY && items as u64 > f.reviews => {
            OptimizeDue::Due {
                why: format!("the last fit is over {REFIT_DAYS} days old"),
            }
        }
        Some(_) => OptimizeDue::Fitted,
    }
}

/// What stats say about optimizing.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub enum OptimizeDue {
    /// Not enough reviews yet.
    NotYet { have: usize, need: usize },
    /// Worth running now.
    Due { why: String },
    /// The learner's own parameters are in force and recent.
    Fitted,
}

impl OptimizeDue {
    /// One line for the stats text.
    pub fn line(&self) -> String {
        match self {
            OptimizeDue::NotYet { have, need } => format!(
                "FSRS parameters: the defaults; `trialdeck optimize` fits your own after {need} \
                 reviews on a later day than a card's previous one ({have} so far)"
            ),
            OptimizeDue::Due { why } => {
                format!("FSRS parameters: an optimization is due ({why}): run `trialdeck optimize`")
            }
            OptimizeDue::Fitted => {
                "FSRS parameters: your own, fitted by `trialdeck optimize`".into()
            }
        }
    }
}
