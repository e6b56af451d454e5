#![no_main]
//! See `csi_state::fuzzing::csi_events`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| { csi_state::fuzzing::csi_events(data); });
