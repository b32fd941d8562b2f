"""Write ResNet-v1 fixtures with tf-slim 1.1.0's own nets.resnet_v1 (TF 2.21).

    TFPY tools/tf-differential/resnet_fixture.py OUT_DIR [PRESET ...]
    TFPY tools/tf-differential/resnet_fixture.py list

Each preset is a config.json (fixtures/tiny_resnet/README's keys). For a
preset with weights the script builds the net in a fresh tf.Graph under
resnet_arg_scope(weight_decay, batch_norm_decay, batch_norm_epsilon,
batch_norm_scale), is_training=False; overwrites every variable in creation
order from numpy.random.default_rng(seed) as the shared tiny_resnet does
(weights 0.5*sqrt(2/fan_in)*z, gamma 1+0.2z, beta/moving_mean/biases 0.1z,
moving_variance U(0.5, 1.5), global_step 12345); writes `checkpoint`,
`model.ckpt.*` (Saver V2, relative paths), `manifest.json`, `input.json`
(rng(seed+10) images) and `expected.json` (logits, pool when pooled, the
block end points, the root conv1, one unit's conv2 and predictions); then
restores the moved copy into a fresh graph and checks the outputs bit for
bit. `"spatial_squeeze": true` squeezes the logits as later slim versions do
(`SpatialSqueeze`, end point `<scope>/spatial_squeeze`). A preset with
`"manifest_only"` writes config.json and manifest.json only (the standard
depths: their checkpoints are too large to keep).
"""
import json, os, shutil, sys, tempfile
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
import numpy as np
import tensorflow as tf
tf1 = tf.compat.v1
tf1.disable_eager_execution()
import tf_keras
import tf_keras.src.legacy_tf_layers.normalization
sys.modules['tf_keras.legacy_tf_layers.normalization'] = tf_keras.src.legacy_tf_layers.normalization
import tf_slim as slim
from tf_slim.nets import resnet_v1, resnet_utils

def blocks(c):
    return [resnet_v1.resnet_v1_block(b["scope"], base_depth=b["base_depth"], num_units=b["num_units"], stride=b["stride"])
            for b in c["blocks"]]

PRESETS = {
    "resnet_atrous_squeeze": dict(seed=20250101, batch=2, config={
        "scope": "resnet_atrous",
        "blocks": [{"scope": "block1", "base_depth": 4, "num_units": 2, "stride": 2},
                   {"scope": "block2", "base_depth": 6, "num_units": 2, "stride": 2},
                   {"scope": "block3", "base_depth": 8, "num_units": 2, "stride": 2},
                   {"scope": "block4", "base_depth": 8, "num_units": 1, "stride": 1}],
        "num_classes": 7, "image_size": 33, "global_pool": True, "spatial_squeeze": True,
        "include_root_block": True, "output_stride": 8, "weight_decay": 0.0001,
        "batch_norm_decay": 0.997, "batch_norm_epsilon": 1e-05, "batch_norm_scale": True}),
    "resnet_no_root_spatial": dict(seed=20250102, batch=3, config={
        "scope": "net",
        "blocks": [{"scope": "b1", "base_depth": 3, "num_units": 2, "stride": 2},
                   {"scope": "b2", "base_depth": 5, "num_units": 1, "stride": 1}],
        "num_classes": 5, "image_size": 13, "global_pool": False, "spatial_squeeze": False,
        "include_root_block": False, "output_stride": None, "weight_decay": 0.0001,
        "batch_norm_decay": 0.9, "batch_norm_epsilon": 0.001, "batch_norm_scale": False}),
    "resnet_no_classes_os16": dict(seed=20250103, batch=1, config={
        "blocks": [{"scope": "block1", "base_depth": 2, "num_units": 1, "stride": 2},
                   {"scope": "block2", "base_depth": 4, "num_units": 3, "stride": 2},
                   {"scope": "block3", "base_depth": 4, "num_units": 1, "stride": 2}],
        "num_classes": None, "image_size": 45, "global_pool": True, "spatial_squeeze": False,
        "include_root_block": True, "output_stride": 16, "weight_decay": 0.0001,
        "batch_norm_decay": 0.997, "batch_norm_epsilon": 1e-05, "batch_norm_scale": True}),
    # tools/bench/resnet50_vs_tf.py: ResNet-50, 224x224, batch 1 (about
    # 100 MB; written to a scratch directory, never committed).
    "resnet_v1_50_bench": dict(seed=20250110, batch=1, bench=True, config={
        "depth": 50, "num_classes": 1000, "image_size": 224, "global_pool": True, "spatial_squeeze": False,
        "output_stride": None, "weight_decay": 0.0001, "batch_norm_decay": 0.997,
        "batch_norm_epsilon": 1e-05, "batch_norm_scale": True}),
    # The same at depth 101 and 152 (about 180 and 240 MB), for tools/bench/summary.py.
    **{"resnet_v1_%d_bench" % d: dict(seed=20250110 + d, batch=1, bench=True, config={
        "depth": d, "num_classes": 1000, "image_size": 224, "global_pool": True, "spatial_squeeze": False,
        "output_stride": None, "weight_decay": 0.0001, "batch_norm_decay": 0.997,
        "batch_norm_epsilon": 1e-05, "batch_norm_scale": True}) for d in (101, 152)},
    "resnet_v1_50_manifest": dict(manifest_only=True, config={
        "depth": 50, "num_classes": 1000, "image_size": 224, "global_pool": True, "spatial_squeeze": False,
        "output_stride": None, "weight_decay": 0.0001, "batch_norm_decay": 0.997,
        "batch_norm_epsilon": 1e-05, "batch_norm_scale": True}),
    "resnet_v1_101_os16_manifest": dict(manifest_only=True, config={
        "depth": 101, "scope": "r101", "num_classes": 21, "image_size": 64, "global_pool": False, "spatial_squeeze": False,
        "output_stride": 16, "weight_decay": 0.0001, "batch_norm_decay": 0.997,
        "batch_norm_epsilon": 1e-05, "batch_norm_scale": True}),
}

def build(c, images):
    with slim.arg_scope(resnet_utils.resnet_arg_scope(weight_decay=c["weight_decay"], batch_norm_decay=c["batch_norm_decay"],
                                                       batch_norm_epsilon=c["batch_norm_epsilon"], batch_norm_scale=c["batch_norm_scale"])):
        if "depth" in c:
            fn = getattr(resnet_v1, "resnet_v1_%d" % c["depth"])
            kw = {"scope": c["scope"]} if c.get("scope") else {}
            net, ep = fn(images, c["num_classes"], is_training=False, global_pool=c["global_pool"],
                         output_stride=c["output_stride"], **kw)
        else:
            net, ep = resnet_v1.resnet_v1(images, blocks(c), c["num_classes"], is_training=False, global_pool=c["global_pool"],
                                          output_stride=c["output_stride"], include_root_block=c["include_root_block"],
                                          scope=c.get("scope"))
        scope = net.name.split("/")[0]
        if c.get("spatial_squeeze"):
            net = tf.squeeze(net, [1, 2], name="SpatialSqueeze")
            ep[scope + "/spatial_squeeze"] = net
            ep["predictions"] = slim.softmax(net, scope="predictions")
    tf1.train.get_or_create_global_step()
    return net, ep, scope

def outputs(g, net, ep, scope, c):
    out = {"logits": net} if c["num_classes"] else {}
    if c["global_pool"]:
        out["pool"] = g.get_tensor_by_name(scope + "/pool5:0")
    for k in ep:
        last = k.split("/")[-1]
        if k.count("/") == 1 and (last.startswith("block") or last.startswith("b") or last == "conv1") \
                or k.endswith("unit_1/bottleneck_v1/conv2") or k == "predictions":
            out[k] = ep[k]
    return out

def fixture(name, p, out_dir):
    c = p["config"]
    d = os.path.join(out_dir, name); os.makedirs(d, exist_ok=True)
    json.dump(c, open(os.path.join(d, "config.json"), "w"), indent=2); open(os.path.join(d, "config.json"), "a").write("\n")
    size = c["image_size"]
    g = tf.Graph()
    with g.as_default():
        x = tf1.placeholder(tf.float32, [p.get("batch", 1), size, size, 3], name="images")
        net, ep, scope = build(c, x)
        variables = tf1.global_variables()
        manifest = {"variables": [{"name": v.op.name, "dtype": v.dtype.base_dtype.name, "shape": v.shape.as_list()} for v in variables]}
        json.dump(manifest, open(os.path.join(d, "manifest.json"), "w"), indent=1)
        if p.get("manifest_only"):
            print(name, len(variables), "variables (manifest only)"); return
        rng = np.random.default_rng(p["seed"])
        values = {}
        for v in variables:
            n, sh = v.op.name, v.shape.as_list()
            if n == "global_step": values[n] = np.int64(12345); continue
            if n.endswith("moving_variance"): a = rng.uniform(0.5, 1.5, sh)
            else:
                z = rng.standard_normal(sh)
                if n.endswith("/weights"): a = 0.5 * np.sqrt(2.0 / (sh[0] * sh[1] * sh[2])) * z
                elif n.endswith("gamma"): a = 1 + 0.2 * z
                else: a = 0.1 * z
            values[n] = a.astype(np.float32)
        images = np.random.default_rng(p["seed"] + 10).standard_normal([p.get("batch", 1), size, size, 3]).astype(np.float32)
        outs = outputs(g, net, ep, scope, c)
        with tf1.Session(graph=g) as s:
            s.run(tf1.global_variables_initializer())
            for v in variables: v.load(values[v.op.name], s)
            got = s.run(outs, {x: images})
            tf1.train.Saver(write_version=tf1.train.SaverDef.V2, save_relative_paths=True).save(
                s, os.path.join(d, "model.ckpt"), write_meta_graph=False)
    json.dump({"images": {"shape": list(images.shape), "data": [float(v) for v in images.ravel()]}}, open(os.path.join(d, "input.json"), "w"))
    json.dump({k: {"shape": list(v.shape), "data": [float(t) for t in v.ravel()]} for k, v in got.items()}, open(os.path.join(d, "expected.json"), "w"))
    # Check: a moved copy restores into a fresh graph and reproduces every output bit for bit.
    tmp = tempfile.mkdtemp(); copy = os.path.join(tmp, name); shutil.copytree(d, copy)
    g2 = tf.Graph()
    with g2.as_default():
        x2 = tf1.placeholder(tf.float32, images.shape, name="images")
        net2, ep2, scope2 = build(c, x2)
        outs2 = outputs(g2, net2, ep2, scope2, c)
        with tf1.Session(graph=g2) as s:
            tf1.train.Saver().restore(s, tf1.train.latest_checkpoint(copy))
            again = s.run(outs2, {x2: images})
    shutil.rmtree(tmp)
    for k in got:
        assert np.array_equal(got[k], again[k]), k
    print(name, len(variables), "variables,", {k: list(v.shape) for k, v in got.items()})

if __name__ == "__main__":
    if sys.argv[1:] == ["list"]:
        print("\n".join(PRESETS)); sys.exit(0)
    out, names = sys.argv[1], sys.argv[2:] or [n for n in PRESETS if not PRESETS[n].get("bench")]
    for n in names: fixture(n, PRESETS[n], out)
