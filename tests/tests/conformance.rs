//! Replays every TensorFlow-produced scenario in `conformance/`.

use std::path::PathBuf;

use scope_tests::{collect_scenario_files, replay_file};

#[test]
fn every_public_scenario_matches_tensorflow() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("conformance");
    let files = collect_scenario_files(&[dir]).expect("conformance directory");
    assert!(
        files.len() >= 103,
        "expected the 103 public scenarios, found {}",
        files.len()
    );
    let failures: Vec<String> = files
        .iter()
        .map(|f| replay_file(f))
        .filter_map(|o| o.result.err().map(|e| format!("{}: {e}", o.name)))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} scenarios differ from TensorFlow:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}
