//! A partitioned variable's slice key (TF's OrderedCode encoding) and,
//! from the same bytes, a `TensorSliceProto` resolved against a shape and
//! walked run by run. Keys that decode must re-encode to the same bytes.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    scope_checkpoint::fuzzing::parse_slice_key(data);
});
