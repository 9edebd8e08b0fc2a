//! Fuzz target: Azure shape loading (REST pages, Resource Graph rows, JSON Lines) (`securescore_fuzz::azure`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| securescore_fuzz::azure(data));
