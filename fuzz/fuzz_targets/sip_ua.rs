#![no_main]
//! See `sip_lite::fuzzing::ua`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| sip_lite::fuzzing::ua(data));
