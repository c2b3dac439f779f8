//! Opening the review history for a command: where it lives, and what happens when it cannot
//! be written or read. Every command opens it here; `main` only wires the result.

use super::fsrs::{CardState, DAY, Scheduler};
use super::store::{CardFlags, DayCounts, Store, StoreError, default_data_dir};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// How a command uses the history.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// The quiz: grades are the point, so a history that is damaged, not ours or not a file
    /// stops the command. One that cannot be written is still read, without saving.
    Strict,
    /// The browser: any problem with the history opens without saving, with a notice.
    Lenient,
    /// `stats`: read only. Nothing is created, migrated or written; a history that cannot be
    /// written is read all the same.
    ReadOnly,
}

/// An opened history.
#[derive(Debug)]
pub struct History {
    pub store: Store,
    /// Every card's state as the history has it.
    pub states: HashMap<String, CardState>,
    /// Cards suspended, buried or tagged as leeches.
    pub flags: HashMap<String, CardFlags>,
    /// What the user should be told (why grades are not saved), if anything.
    pub notices: Vec<String>,
}

/// The data directory: the one given, else the platform's (none without a home).
pub fn data_dir(given: Option<&Path>) -> Option<PathBuf> {
    given.map(Path::to_path_buf).or_else(default_data_dir)
}

/// Open the history in `dir` (else the platform's data directory) for `access`. With
/// `no_save`, nothing is read or written. A history that does not exist yet is created on the
/// first grade, not before. Errors only where `access` says the command must stop.
pub fn open(
    dir: Option<&Path>,
    no_save: bool,
    sched: Scheduler,
    access: Access,
) -> Result<History, StoreError> {
    let mut h = open_inner(dir, no_save, sched, access)?;
    // The learner's fitted parameters, once `optimize` has stored them, schedule from now on.
    if let Ok(Some(f)) = h.store.fitted()
        && let Ok(s) = h.store.scheduler().clone().with_parameters(&f.parameters)
    {
        h.store.set_scheduler(s);
    }
    h.flags = h.store.flags().unwrap_or_default();
    Ok(h)
}

/// The start of the calendar day `now` is in, as the scheduler counts days.
pub fn day_start(sched: &Scheduler, now: i64) -> i64 {
    sched.day(now) * DAY - sched.day_offset
}

/// What the learner has done today (new cards seen, reviews), for the daily limits.
pub fn today(store: &Store, now: i64) -> DayCounts {
    store
        .day_counts(day_start(store.scheduler(), now))
        .unwrap_or_default()
}

fn open_inner(
    dir: Option<&Path>,
    no_save: bool,
    sched: Scheduler,
    access: Access,
) -> Result<History, StoreError> {
    let mut notices = Vec::new();
    let Some(dir) = data_dir(dir) else {
        if !no_save && access != Access::ReadOnly {
            notices.push("no data directory for the review history: grades are not saved".into());
        }
        return Ok(with_states(Store::no_save(sched), notices));
    };
    if access == Access::ReadOnly {
        let store = Store::open_read_only(&dir, sched)?;
        let states = store.states()?;
        return Ok(History {
            store,
            states,
            flags: HashMap::new(),
            notices,
        });
    }
    if no_save {
        return Ok(with_states(Store::no_save(sched), notices));
    }
    // Reading every card's state is the first read past the header: a history damaged
    // further in fails here, before anything is shown or written.
    let opened = Store::open_lazy(&dir, sched.clone()).and_then(|store| {
        let states = store.states()?;
        Ok(History {
            store,
            states,
            flags: HashMap::new(),
            notices: Vec::new(),
        })
    });
    match opened {
        Ok(h) => Ok(h),
        Err(e) if e.is_read_only() => {
            // Show the learner their history even though nothing new can be saved.
            let store = Store::open_read_only(&dir, sched.clone())
                .unwrap_or_else(|_| Store::no_save(sched));
            notices.push(format!("grades are not saved: {e}"));
            Ok(with_states(store, notices))
        }
        Err(e) if access == Access::Strict => Err(e),
        Err(e) => {
            // The consequence first: a footer shows the start of a long message.
            notices.push(format!("grades are not saved: {e}"));
            Ok(with_states(Store::no_save(sched), notices))
        }
    }
}

fn with_states(store: Store, notices: Vec<String>) -> History {
    // An in-memory copy: reading it cannot fail short of a bug.
    let states = store.states().unwrap_or_default();
    History {
        store,
        states,
        flags: HashMap::new(),
        notices,
    }
}
