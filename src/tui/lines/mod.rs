//! Content laid out at a width, with the line ranges of its items: what `update` measures
//! (scroll bounds, clicks) and what the views draw are the same lines, built here.

pub mod document;
pub mod help;
pub mod quiz;
pub mod stats;
pub mod wrap;
