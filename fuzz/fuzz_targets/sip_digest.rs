#![no_main]
//! See `sip_lite::fuzzing::digest`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| sip_lite::fuzzing::digest(data));
