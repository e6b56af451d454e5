#![no_main]
//! See `sdp_filetransfer::fuzzing::parse_raw`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| sdp_filetransfer::fuzzing::parse_raw(data));
