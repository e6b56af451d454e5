#![no_main]
//! See `msrp::fuzzing::relay_engine`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = msrp::fuzzing::relay_engine(data);
});
