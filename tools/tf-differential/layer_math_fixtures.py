"""Layer math fixtures: TF1 layers (tf.compat.v1.layers, tf-keras 2.21 legacy
with TF_USE_LEGACY_KERAS=1; tf_slim layer_norm) run on seeded random inputs
and random variable values; writes tests/layer-math/layers.json with the
inputs, every variable's value, the outputs and (for training batch norm) the
values the UPDATE_OPS assign. Each case's `step` is a FORMAT.md layer step.

    TF_USE_LEGACY_KERAS=1 TFPY tools/tf-differential/layer_math_fixtures.py
"""
import json
import os
import sys

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import tensorflow as tf
import tf_slim

tf1 = tf.compat.v1
tf1.disable_eager_execution()

ACT = {"relu": tf.nn.relu, "tanh": tf.nn.tanh, None: None}

CASES = [
    ("dense_rank2", {"layer": "dense", "units": 5}, [3, 4]),
    ("dense_rank3_relu", {"layer": "dense", "units": 3, "activation": "relu"}, [2, 3, 4]),
    ("dense_no_bias_tanh", {"layer": "dense", "units": 2, "use_bias": False, "activation": "tanh"}, [4, 3]),
    ("conv1d_same", {"layer": "conv1d", "filters": 3, "kernel_size": 3, "padding": "same"}, [2, 7, 2]),
    ("conv1d_causal_dilated", {"layer": "conv1d", "filters": 2, "kernel_size": 2, "padding": "causal", "dilation_rate": 2}, [1, 6, 3]),
    ("conv1d_valid_stride2", {"layer": "conv1d", "filters": 2, "kernel_size": 3, "strides": 2}, [2, 9, 2]),
    ("conv2d_same_stride2", {"layer": "conv2d", "filters": 4, "kernel_size": 3, "strides": 2, "padding": "same"}, [2, 7, 6, 3]),
    ("conv2d_valid_relu", {"layer": "conv2d", "filters": 2, "kernel_size": [2, 3], "activation": "relu"}, [1, 5, 5, 2]),
    ("conv2d_dilated", {"layer": "conv2d", "filters": 2, "kernel_size": 3, "dilation_rate": 2, "padding": "same"}, [1, 7, 7, 2]),
    ("conv2d_transpose_same", {"layer": "conv2d_transpose", "filters": 3, "kernel_size": 3, "strides": 2, "padding": "same"}, [1, 4, 3, 2]),
    ("conv2d_transpose_valid", {"layer": "conv2d_transpose", "filters": 2, "kernel_size": [3, 2], "strides": 2}, [2, 3, 3, 2]),
    ("separable_conv2d_dm2", {"layer": "separable_conv2d", "filters": 3, "kernel_size": 3, "depth_multiplier": 2, "padding": "same"}, [1, 6, 5, 2]),
    ("separable_conv2d_valid", {"layer": "separable_conv2d", "filters": 2, "kernel_size": 2, "strides": 2}, [2, 6, 6, 3]),
    ("batch_norm_inference_rank2", {"layer": "batch_normalization"}, [4, 3]),
    ("batch_norm_inference_rank4", {"layer": "batch_normalization"}, [2, 3, 3, 4]),
    ("batch_norm_training_fused", {"layer": "batch_normalization", "training": True, "momentum": 0.9}, [3, 4, 4, 2]),
    ("batch_norm_training_rank2", {"layer": "batch_normalization", "training": True}, [6, 3]),
    ("batch_norm_training_axes", {"layer": "batch_normalization", "training": True, "axis": [1, 2]}, [4, 3, 2]),
    ("batch_norm_inference_axes", {"layer": "batch_normalization", "axis": [1, 2]}, [4, 3, 2]),
    ("layer_norm_last_axis", {"layer": "layer_norm", "begin_norm_axis": -1, "begin_params_axis": -1}, [2, 3, 8]),
    ("layer_norm_default_rank3", {"layer": "layer_norm"}, [2, 3, 4]),
    ("layer_norm_params_axis1_relu", {"layer": "layer_norm", "begin_params_axis": 1, "activation_fn": "relu"}, [2, 3, 4]),
    ("max_pooling2d_same", {"layer": "max_pooling2d", "pool_size": 3, "strides": 2, "padding": "same"}, [1, 5, 6, 2]),
    ("average_pooling2d_same", {"layer": "average_pooling2d", "pool_size": 3, "strides": 2, "padding": "same"}, [1, 5, 6, 2]),
    ("average_pooling2d_valid", {"layer": "average_pooling2d", "pool_size": [2, 3], "strides": [2, 1]}, [2, 4, 5, 1]),
    ("flatten_rank4", {"layer": "flatten"}, [2, 3, 2, 2]),
]

KW = {"units", "filters", "kernel_size", "strides", "padding", "dilation_rate", "depth_multiplier",
      "use_bias", "axis", "momentum", "training", "pool_size", "begin_norm_axis", "begin_params_axis"}


def tuple_of(v):
    return tuple(v) if isinstance(v, list) else v


def build(step, x):
    kw = {k: tuple_of(v) for k, v in step.items() if k in KW}
    kind = step["layer"]
    if kind == "layer_norm":
        return tf_slim.layers.layer_norm(x, activation_fn=ACT[step.get("activation_fn")], scope="l", **kw)
    if "activation" in step:
        kw["activation"] = ACT[step["activation"]]
    fn = getattr(tf1.layers, kind)
    if kind in ("flatten", "max_pooling2d", "average_pooling2d"):
        return fn(x, name="l", **kw)
    if kind == "batch_normalization" and isinstance(kw.get("axis"), tuple):
        kw["axis"] = list(kw["axis"])
    return fn(x, name="l", **kw)


def case(name, step, shape, rng):
    g = tf.Graph()
    with g.as_default():
        x = tf1.placeholder(tf.float32, shape, name="x")
        y = build(step, x)
        variables = tf1.global_variables()
        updates = tf1.get_collection(tf1.GraphKeys.UPDATE_OPS)
        xv = rng.standard_normal(shape).astype(np.float32)
        with tf1.Session(graph=g) as sess:
            values = {}
            for v in variables:
                val = rng.standard_normal(v.shape.as_list()).astype(np.float32)
                if "moving_variance" in v.name:
                    val = np.abs(val) + 0.5
                v.load(val, sess)
                values[v.name] = val
            out = sess.run(y, {x: xv})
            after = {}
            if updates:
                sess.run(updates, {x: xv})
                after = {v.name: sess.run(v) for v in variables if "moving" in v.name}
    return {
        "name": name,
        "step": step,
        "input": {"shape": shape, "data": xv.ravel().tolist()},
        "variables": [{"name": k, "shape": list(v.shape), "data": v.ravel().tolist()} for k, v in values.items()],
        "output": {"shape": list(out.shape), "data": out.ravel().tolist()},
        "updated": [{"name": k, "data": v.ravel().tolist()} for k, v in after.items()],
    }


def main():
    rng = np.random.default_rng(20261201)
    cases = [case(n, s, sh, rng) for n, s, sh in CASES]
    out = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "layer-math", "layers.json")
    with open(out, "w") as f:
        json.dump({"tensorflow": tf.__version__, "cases": cases}, f)
    print(f"wrote {len(cases)} cases to {os.path.normpath(out)}", file=sys.stderr)


if __name__ == "__main__":
    main()
