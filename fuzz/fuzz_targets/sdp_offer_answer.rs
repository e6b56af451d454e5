#![no_main]
//! See `sdp_filetransfer::fuzzing::offer_answer`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| sdp_filetransfer::fuzzing::offer_answer(data));
