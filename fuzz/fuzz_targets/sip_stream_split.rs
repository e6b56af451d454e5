#![no_main]
//! See `sip_lite::fuzzing::stream_split`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| sip_lite::fuzzing::stream_split(data));
