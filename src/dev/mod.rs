//! Developer tools: synthetic packs for benchmarks and tests, and the fuzz entry points.
//! Behind the `dev` feature, so the release binary carries none of it.

pub mod fuzz;
pub mod generate;
pub mod history;
