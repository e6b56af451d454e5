#![no_main]
//! See `msrp::fuzzing::relay_digest`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| msrp::fuzzing::relay_digest(data));
