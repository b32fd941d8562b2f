//! Replays every TensorFlow-produced scenario: the public corpus in
//! `conformance/` (with its 67 layer scenarios in `conformance/layers/` and
//! its 74 custom-getter, partitioner, regularizer and collection scenarios
//! in `conformance/api/`),
//! the random differential corpus in `differential/`, and the project's own
//! TF-produced layer and TF1-API scenarios in `conformance-own/`.

#![forbid(unsafe_code)]

use scope_tests::assert_dir_matches_tensorflow as replay_dir;

#[test]
fn every_public_scenario_matches_tensorflow() {
    replay_dir("conformance", 103);
}

#[test]
fn every_differential_scenario_matches_tensorflow() {
    replay_dir("differential", 81);
}

#[test]
fn every_shared_layer_scenario_matches_tensorflow() {
    replay_dir("conformance/layers", 67);
}

#[test]
fn every_shared_api_scenario_matches_tensorflow() {
    replay_dir("conformance/api", 74);
}

#[test]
fn every_own_api_scenario_matches_tensorflow() {
    replay_dir("conformance-own/api", 10);
}

#[test]
fn every_own_layer_scenario_matches_tensorflow() {
    replay_dir("conformance-own/layers", 39);
}
