//! The review engine behind quiz mode: cards, FSRS scheduling, the review history, session
//! queues and statistics. No terminal code: the app asks for a queue, shows cards, and hands
//! grades to the runtime, which records them through [`store::Store`].

pub mod browse;
pub mod cards;
pub mod clock;
pub mod fsrs;
pub mod history;
pub mod optimize;
pub mod queue;
pub mod stats;
pub mod store;

pub use cards::{Card, CardId, CardIndex, CardKind, CardText, FactKind, build_cards};
pub use fsrs::{CardState, Grade, Phase, Scheduler, Steps};
pub use history::{Access, History};
pub use queue::{Counts, Filter, Limits};
pub use stats::SessionSummary;
pub use store::{CardFlags, CardOp, NewReview, Store, StoreError};

use crate::content::Role;

/// The roles a learner of `role` is quizzed on by default: theirs and those below it in the
/// ladder order (Medical Student → … → Guideline Committee).
pub fn roles_up_to(role: Role) -> Vec<Role> {
    Role::ALL.into_iter().filter(|r| *r <= role).collect()
}

/// The grade suggested by the key points ticked: none or under half → Again, half or more →
/// Hard, all → Good. Easy is the learner's call. A card without key points suggests Good.
pub fn suggest_grade(ticked: u32, total: u32) -> Grade {
    if total == 0 {
        return Grade::Good;
    }
    let ticked = ticked.min(total);
    if ticked == total {
        Grade::Good
    } else if ticked * 2 >= total {
        Grade::Hard
    } else {
        Grade::Again
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestion_follows_points() {
        assert_eq!(suggest_grade(0, 4), Grade::Again);
        assert_eq!(suggest_grade(1, 4), Grade::Again);
        assert_eq!(suggest_grade(2, 4), Grade::Hard);
        assert_eq!(suggest_grade(3, 4), Grade::Hard);
        assert_eq!(suggest_grade(4, 4), Grade::Good);
        assert_eq!(suggest_grade(9, 4), Grade::Good);
        assert_eq!(suggest_grade(0, 0), Grade::Good);
    }

    #[test]
    fn roles_below() {
        assert_eq!(
            roles_up_to(Role::Resident),
            vec![Role::MedicalStudent, Role::Resident]
        );
        assert_eq!(roles_up_to(Role::GuidelineCommittee).len(), 7);
    }
}
