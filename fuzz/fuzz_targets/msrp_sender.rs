#![no_main]
//! See `msrp::fuzzing::sender_roundtrip`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| msrp::fuzzing::sender_roundtrip(data));
