#![no_main]
//! See `sip_lite::fuzzing::parse_serialize_parse`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| sip_lite::fuzzing::parse_serialize_parse(data));
