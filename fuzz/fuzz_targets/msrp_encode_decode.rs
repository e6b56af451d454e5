#![no_main]
//! Structured: an arbitrary message encodes and decodes back to itself (`msrp::fuzzing::encode_decode`).
libfuzzer_sys::fuzz_target!(|msg: msrp::Message| msrp::fuzzing::encode_decode(msg));
