//! trialdeck: study and teach clinical-trial evidence in the terminal.
//!
//! The library holds everything; the binary (`src/main.rs`) parses the command line, wires
//! the parts together and dispatches. Two halves:
//!
//! - the domain, which knows nothing of a terminal: [`content`] (packs: read, parse, check,
//!   cache), [`format`] (every phrase of a number), [`doc`] (an entry as neutral blocks with
//!   typed accessors), [`search`], [`review`] (cards, scheduling, the history), [`export`],
//!   [`config`], [`fsutil`] (the one writer) and [`link`] (the socket two terminals of one
//!   teaching round share);
//! - [`tui`], everything that does.
//!
//! [`dev`] (synthetic packs, fuzz entry points) is built only with the `dev` feature.

pub mod config;
pub mod content;
#[cfg(any(test, feature = "dev"))]
pub mod dev;
pub mod doc;
pub mod export;
pub mod format;
pub mod fsutil;
pub mod link;
pub mod pack;
pub mod review;
pub mod search;
pub mod tui;
