//! Fuzz target: the fast scanner and the threads against the exact serde path
//! (`securescore_fuzz::fast_native`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| securescore_fuzz::fast_native(data));
