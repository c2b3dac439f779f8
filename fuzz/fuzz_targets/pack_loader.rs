//! The pack loader on a pack directory made from bytes: the manifest, then entry files,
//! separated by 0x1E (see `trialdeck::dev::fuzz::fuzz_pack_bytes`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = trialdeck::dev::fuzz::fuzz_pack_bytes(data);
});
