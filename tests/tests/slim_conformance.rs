//! Replays the TensorFlow-produced slim / arg_scope scenarios of
//! `conformance-own/slim/` (format: `conformance-own/slim/FORMAT-slim.md`).

#![forbid(unsafe_code)]

use std::path::PathBuf;

use scope_tests::{assert_dir_matches_tensorflow, replay_file};

#[test]
fn every_slim_scenario_matches_tensorflow() {
    assert_dir_matches_tensorflow("conformance-own/slim", 48);
}

#[test]
fn a_wrong_expectation_is_caught() {
    // The replay must fail when TF's names are changed: the test can fail.
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("conformance-own/slim");
    let path = dir.join("own_slim_default_scopes_conv_fc.json");
    let text = std::fs::read_to_string(&path).expect("scenario");
    let broken = text.replacen("Conv_1/weights:0", "Conv_1/kernel:0", 1);
    assert_ne!(text, broken);
    let tmp = std::env::temp_dir().join(format!("slim_broken_{}.json", std::process::id()));
    std::fs::write(&tmp, broken).expect("write");
    let outcome = replay_file(&tmp);
    let _ = std::fs::remove_file(&tmp);
    assert!(outcome.result.is_err(), "a changed name must not replay");
}
