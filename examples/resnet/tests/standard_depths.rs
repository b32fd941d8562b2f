//! The standard nets built from `{"depth": N}` have the variables TF-slim's
//! `resnet_v1_<N>` makes (names, shapes, order), as TF listed them in
//! `fixtures/resnet_v1_*_manifest/manifest.json`; a shape-only build, so no
//! weights are made.

#![forbid(unsafe_code)]

use std::path::PathBuf;

use resnet::{resnet_v1, Config};
use scope_runtime::layers::LayerValue;
use scope_runtime::Graph;

fn manifest_matches(dir: &str) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(dir);
    let config = Config::load(&dir.join("config.json")).expect("config");
    let text = std::fs::read_to_string(dir.join("manifest.json")).expect("manifest");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("json");
    let want: Vec<(String, Vec<usize>)> = doc["variables"]
        .as_array()
        .expect("variables")
        .iter()
        .filter(|v| v["name"] != "global_step")
        .map(|v| {
            let shape = v["shape"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d.as_u64().unwrap() as usize);
            (v["name"].as_str().unwrap().to_string(), shape.collect())
        })
        .collect();
    let graph = Graph::new();
    let _g = graph.as_default();
    let size = config.image_size.unwrap_or(224);
    let images = LayerValue::shape_only(&[Some(1), Some(size), Some(size), Some(3)]);
    resnet_v1(images, &config, None).expect("build");
    let got: Vec<(String, Vec<usize>)> = graph
        .global_variables("")
        .iter()
        .map(|v| {
            (
                v.name().trim_end_matches(":0").to_string(),
                v.shape().to_vec(),
            )
        })
        .collect();
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g, w);
    }
    assert!(
        graph.model_variables("").len() == want.len(),
        "every slim variable is a model variable"
    );
}

#[test]
fn resnet_v1_50_variables_match_tf_slim() {
    manifest_matches("resnet_v1_50_manifest");
}

#[test]
fn resnet_v1_101_output_stride_16_variables_match_tf_slim() {
    manifest_matches("resnet_v1_101_os16_manifest");
}

#[test]
fn unreachable_output_stride_is_an_error() {
    let mut config: Config = serde_json::from_str(
        r#"{"blocks": [{"scope": "block1", "base_depth": 2, "num_units": 1, "stride": 1}], "num_classes": 3, "output_stride": 8}"#,
    )
    .expect("config");
    config.resolve().expect("resolve");
    let graph = Graph::new();
    let _g = graph.as_default();
    let images = LayerValue::shape_only(&[Some(1), Some(32), Some(32), Some(3)]);
    let e = resnet_v1(images.clone(), &config, None).unwrap_err();
    assert!(
        e.to_string().contains("output_stride cannot be reached"),
        "{e}"
    );
    config.output_stride = Some(6);
    let e = resnet_v1(images, &config, None).unwrap_err();
    assert!(e.to_string().contains("multiple of 4"), "{e}");
}
