//! A safetensors file's header and layout.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    scope_checkpoint::fuzzing::parse_safetensors(data);
});
