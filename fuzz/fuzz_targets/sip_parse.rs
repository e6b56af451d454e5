#![no_main]
//! See `sip_lite::fuzzing::parse_raw`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| sip_lite::fuzzing::parse_raw(data));
