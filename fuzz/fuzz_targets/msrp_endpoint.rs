#![no_main]
//! See `msrp::fuzzing::endpoint`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| msrp::fuzzing::endpoint(data));
