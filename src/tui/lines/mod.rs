//! Content laid out at a width, with the line ranges of its items: what `update` measures
//! (scroll bounds, clicks) and what the views draw are the same lines, built here.

pub mod big;
pub mod document;
pub mod help;
pub mod question;
pub mod quiz;
pub mod rounds;
pub mod stats;
pub mod wrap;

/// What laying content out needs besides the content: the styles, and the keymap that text
/// naming a key asks.
#[derive(Clone, Copy)]
pub struct Look<'a> {
    pub theme: &'a crate::tui::theme::Theme,
    pub keys: &'a crate::tui::keymap::Keymap,
}
