//! A whole `.index` file: footer, block handles and checksums, block
//! entries and restarts, the header proto and every entry proto.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = scope_checkpoint::fuzzing::parse_index(data);
});
