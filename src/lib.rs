//! trialdeck: study and teach clinical-trial evidence in the terminal.
//!
//! The library holds everything; the binary (`src/main.rs`) only parses the command line
//! and dispatches. `content`, `search` and `export` know nothing of the terminal.

pub mod action;
pub mod app;
pub mod config;
pub mod content;
pub mod devgen;
pub mod doc;
pub mod export;
pub mod fsutil;
pub mod fuzzing;
pub mod keymap;
pub mod layout;
pub mod review;
pub mod search;
pub mod theme;
pub mod tui;
pub mod ui;
