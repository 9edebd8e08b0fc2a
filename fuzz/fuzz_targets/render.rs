//! Fuzz target: load → score → every document in every format (`securescore_fuzz::render_all`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| securescore_fuzz::render_all(data));
