#![no_main]
//! See `msrp::fuzzing::split_equivalence`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| msrp::fuzzing::split_equivalence(data));
