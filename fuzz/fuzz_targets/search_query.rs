//! The search query parser and a search over the mini pack, typed one character at a time
//! (see `trialdeck::dev::fuzz::fuzz_search_bytes`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    trialdeck::dev::fuzz::fuzz_search_bytes(data);
});
