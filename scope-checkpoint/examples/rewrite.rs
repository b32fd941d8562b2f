//! Rewrites a TF checkpoint with this crate's writer, keeping every
//! tensor's data shard and every partitioned variable's slices as they are:
//!
//! ```sh
//! cargo run --example rewrite -- IN_PREFIX_OR_DIR OUT_PREFIX
//! ```
//!
//! `tools/tf-differential/restore_check.py` has TF restore the result into
//! its own `PartitionedVariable`s.

#![forbid(unsafe_code)]

use scope_checkpoint::{CheckpointReader, CheckpointWriter};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = &args[..] else {
        return Err("usage: rewrite IN_PREFIX_OR_DIR OUT_PREFIX".into());
    };
    let r = CheckpointReader::open(input)?;
    let mut w = CheckpointWriter::create_sharded(output, r.num_shards() as usize)?;
    for e in r.entries() {
        let shards = r.shard_ids(&e.name)?;
        let slices = r.slices(&e.name)?;
        if slices.is_empty() {
            w.add_to_shard(shards[0] as usize, &e.name, &r.read(&e.name)?)?;
            continue;
        }
        // Partition order, as TF's Saver writes them.
        let mut order: Vec<usize> = (0..slices.len()).collect();
        order.sort_by(|&a, &b| slices[a].start.cmp(&slices[b].start));
        for k in order {
            let part = r.read_slice(&e.name, k)?;
            w.add_slice(shards[k] as usize, &e.name, &e.shape, &slices[k], &part)?;
        }
    }
    w.finish()?;
    eprintln!(
        "wrote {} tensors to {output} in {} shards",
        r.entries().len(),
        r.num_shards()
    );
    Ok(())
}
