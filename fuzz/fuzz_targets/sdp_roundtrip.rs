#![no_main]
//! See `sdp_filetransfer::fuzzing::roundtrip`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| sdp_filetransfer::fuzzing::roundtrip(data));
