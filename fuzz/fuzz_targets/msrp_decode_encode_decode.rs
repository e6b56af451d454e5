#![no_main]
//! See `msrp::fuzzing::decode_encode_decode`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| msrp::fuzzing::decode_encode_decode(data));
