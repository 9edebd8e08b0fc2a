//! Fuzz target: the Azure listing scanner against the exact serde path (`securescore_fuzz::fast_azure`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| securescore_fuzz::fast_azure(data));
