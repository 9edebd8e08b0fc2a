//! Fuzz target: the configuration file parser (`securescore_fuzz::config`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| securescore_fuzz::config(data));
