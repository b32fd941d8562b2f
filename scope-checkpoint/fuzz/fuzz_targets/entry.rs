//! One `BundleEntryProto` / `BundleHeaderProto`, and string tensor data.
//! Also checks that what decodes re-encodes to something that decodes the same.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    scope_checkpoint::fuzzing::parse_entry(data);
    if let Ok((dtype, dims, shard, offset, size, crc)) = scope_checkpoint::fuzzing::decode_entry(data) {
        if dtype >= 0 && dtype <= u32::MAX as i64 && shard >= 0 && shard <= u32::MAX as i64 && offset >= 0 && size >= 0 && dims.iter().all(|&d| d >= 0) {
            let dims: Vec<u64> = dims.iter().map(|&d| d as u64).collect();
            let enc = scope_checkpoint::fuzzing::encode_entry(dtype as u32, &dims, shard as u32, offset as u64, size as u64, crc);
            let (d2, dims2, s2, o2, z2, c2) = scope_checkpoint::fuzzing::decode_entry(&enc).expect("re-encoded entry decodes");
            assert_eq!((d2, s2, o2, z2, c2), (dtype, shard, offset, size, crc));
            assert_eq!(dims2.iter().map(|&d| d as u64).collect::<Vec<_>>(), dims);
        }
    }
});
