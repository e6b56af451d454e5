#![no_main]
//! See `msrp::fuzzing::reassembly`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| msrp::fuzzing::reassembly(data));
