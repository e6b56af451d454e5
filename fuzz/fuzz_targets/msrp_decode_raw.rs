#![no_main]
//! See `msrp::fuzzing::decode_raw`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| msrp::fuzzing::decode_raw(data));
