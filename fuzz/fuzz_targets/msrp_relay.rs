#![no_main]
//! See `msrp::fuzzing::relay`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = msrp::fuzzing::relay(data);
});
