//! Fuzz target: native inventory loading (`securescore_fuzz::native`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| securescore_fuzz::native(data));
