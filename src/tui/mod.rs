//! Everything that knows a terminal: intents ([`action`]), keys ([`keymap`]), styles
//! ([`theme`]), geometry ([`layout`]), content laid out at a width ([`lines`]), the app state
//! and its one `update` ([`app`]), the views ([`ui`]), and the loop that runs them over a
//! terminal ([`runtime`]), reading the terminal's input ([`input`]).
//!
//! The domain beside it (`content`, `format`, `doc`, `search`, `review`, `export`, `config`)
//! never imports this folder, ratatui or crossterm; `tests/layers.rs` checks that.

pub mod action;
pub mod app;
pub mod input;
pub mod keymap;
pub mod layout;
pub mod lines;
pub mod runtime;
pub mod terminal;
pub mod theme;
pub mod ui;

pub use runtime::run;
pub use terminal::restore;
