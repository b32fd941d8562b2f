"""TensorFlow ground truth for scope-ops (see README.md, "scope-ops fixtures").

Usage: TF_ENABLE_ONEDNN_OPTS=0 TFPY ops_fixtures.py OUT_DIR

Writes one compact JSON file per op family into OUT_DIR
(scope-ops/tests/fixtures/). Every case holds its inputs, TensorFlow's
outputs and, where asked, TensorFlow's gradients (`tf.gradients` with a
random upstream gradient `dy`, i.e. the gradient of sum(y * dy)). Tensors are
{"shape": [...], "data": [...]} in row-major order, float32 printed with 9
significant digits (exact round trip).

TensorFlow's CPU kernels only run convolutions and pools in NHWC, so the
channels-first cases are computed in NHWC and transposed here: the ground
truth is the same TF result, laid out NCHW.
"""

import json
import os
import sys

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_slim  # noqa: E402

tf1 = tf.compat.v1
tf1.disable_eager_execution()

RNG = None  # seeded per output file in write()


def rand(*shape, scale=1.0):
    return (RNG.standard_normal(shape) * scale).astype(np.float32)


def enc(a):
    a = np.asarray(a)
    if a.dtype.kind in "iu":
        return {"shape": list(a.shape), "data": [int(v) for v in a.reshape(-1)]}
    return {
        "shape": list(a.shape),
        "data": [float("%.9g" % v) for v in a.astype(np.float32).reshape(-1)],
    }


def run(build, feeds, grad_of=None):
    """build(placeholders) -> y. Returns y and, if grad_of is a list of feed
    names, the gradients of sum(y * dy) w.r.t. them (dy random, returned)."""
    g = tf.Graph()
    with g.as_default():
        ph = {k: tf1.placeholder(tf.as_dtype(v.dtype), v.shape, name=k) for k, v in feeds.items()}
        y = build(ph)
        fetch = {"y": y}
        dy = None
        if grad_of:
            dy = rand(*y.shape.as_list())
            grads = tf.gradients(y, [ph[k] for k in grad_of], grad_ys=tf.constant(dy))
            for k, gr in zip(grad_of, grads):
                fetch["d" + k] = gr
        with tf1.Session(graph=g) as s:
            out = s.run(fetch, {ph[k]: v for k, v in feeds.items()})
    if dy is not None:
        out["dy"] = dy
    return out


def nchw(a):
    return np.transpose(a, (0, 3, 1, 2))


def case_out(name, params, feeds, out, first=()):
    """feeds/out are NHWC; `first` lists the 4-D names to transpose when
    params["data_format"] == "NCHW"."""
    c = {"name": name}
    c.update(params)
    for k, v in list(feeds.items()) + list(out.items()):
        if params.get("data_format") == "NCHW" and k in first:
            v = nchw(v)
        c[k] = enc(v)
    return c


def write(out_dir, fname, cases_fn):
    global RNG
    # one stream per file, so adding cases to one family leaves the others
    RNG = np.random.default_rng(list(fname.encode()))
    cases = cases_fn()
    path = os.path.join(out_dir, fname)
    with open(path, "w") as f:
        json.dump({"cases": cases}, f, separators=(",", ":"))
    print(f"{fname}: {len(cases)} cases, {os.path.getsize(path)} bytes")


# ---------------------------------------------------------------- conv2d
def conv2d_cases():
    cases = []
    # (N, H, W, C, O, kh, kw, strides, dilations, padding, fmt, grad)
    cfgs = [
        (2, 7, 7, 3, 4, 3, 3, (1, 1), (1, 1), "SAME", "NHWC", True),
        (2, 7, 7, 3, 4, 3, 3, (1, 1), (1, 1), "VALID", "NHWC", False),
        (2, 9, 11, 3, 5, 3, 3, (2, 2), (1, 1), "SAME", "NHWC", True),
        (1, 8, 8, 2, 3, 3, 3, (2, 2), (1, 1), "SAME", "NHWC", True),
        (2, 9, 11, 3, 5, 3, 3, (2, 2), (1, 1), "VALID", "NHWC", True),
        (1, 10, 9, 2, 3, 5, 5, (3, 3), (1, 1), "SAME", "NHWC", True),
        (1, 10, 9, 2, 3, 5, 5, (3, 3), (1, 1), "VALID", "NHWC", False),
        (1, 13, 13, 3, 4, 7, 7, (2, 2), (1, 1), "SAME", "NHWC", True),
        (1, 13, 12, 3, 4, 7, 7, (2, 2), (1, 1), "VALID", "NHWC", False),
        (2, 6, 5, 4, 3, 1, 1, (1, 1), (1, 1), "SAME", "NHWC", True),
        (2, 7, 5, 4, 3, 1, 1, (2, 2), (1, 1), "VALID", "NHWC", True),
        (1, 9, 9, 2, 3, 3, 3, (1, 1), (2, 2), "SAME", "NHWC", True),
        (1, 11, 10, 2, 3, 3, 3, (1, 1), (2, 2), "VALID", "NHWC", False),
        (1, 11, 10, 2, 3, 5, 3, (1, 1), (2, 1), "SAME", "NHWC", True),
        (1, 9, 10, 2, 3, 3, 2, (2, 1), (1, 1), "SAME", "NHWC", True),
        (1, 9, 10, 2, 3, 3, 5, (1, 3), (1, 1), "VALID", "NHWC", False),
        (2, 9, 11, 3, 5, 3, 3, (2, 2), (1, 1), "SAME", "NCHW", True),
        (1, 9, 9, 2, 3, 3, 3, (1, 1), (2, 2), "SAME", "NCHW", False),
        (1, 8, 7, 3, 2, 5, 5, (1, 1), (1, 1), "VALID", "NCHW", False),
        (1, 2, 3, 2, 2, 5, 5, (1, 1), (1, 1), "SAME", "NHWC", False),
        (1, 9, 10, 2, 3, 3, 2, (2, 1), (1, 1), "SAME", "NCHW", True),
        (1, 11, 10, 2, 3, 5, 3, (1, 1), (2, 1), "SAME", "NCHW", True),
        (1, 10, 11, 2, 3, 3, 3, (1, 1), (1, 3), "VALID", "NCHW", True),
    ]
    for i, (n, h, w, c, o, kh, kw, st, dl, pad, fmt, grad) in enumerate(cfgs):
        x = rand(n, h, w, c)
        f = rand(kh, kw, c, o, scale=0.5)
        out = run(
            # the CPU Conv2D kernel has no dilation; tf.nn.convolution does it
            # with space_to_batch (what tf.layers/slim atrous convs run).
            lambda p: tf.nn.convolution(p["x"], p["filter"], list(st), pad, dilations=list(dl)),
            {"x": x, "filter": f},
            ["x", "filter"] if grad else None,
        )
        params = {"strides": list(st), "dilations": list(dl), "padding": pad, "data_format": fmt}
        cases.append(case_out(f"conv2d_{i}", params, {"x": x, "filter": f}, out, ("x", "y", "dy", "dx")))
    return cases


def conv1d_cases():
    cases = []
    # (N, W, C, O, k, stride, dilation, padding, fmt, grad)
    cfgs = [
        (2, 9, 3, 4, 3, 1, 1, "SAME", "NWC", True),
        (2, 11, 3, 4, 5, 2, 1, "SAME", "NWC", True),
        (1, 11, 2, 3, 3, 3, 1, "VALID", "NWC", False),
        (1, 12, 2, 3, 3, 1, 2, "SAME", "NWC", True),
        (2, 10, 3, 2, 1, 1, 1, "VALID", "NWC", False),
        (2, 11, 3, 4, 5, 2, 1, "SAME", "NCW", False),
    ]
    for i, (n, w, c, o, k, s, d, pad, fmt, grad) in enumerate(cfgs):
        x = rand(n, w, c)
        f = rand(k, c, o, scale=0.5)
        out = run(
            lambda p: tf.nn.convolution(p["x"], p["filter"], [s], pad, dilations=[d]),
            {"x": x, "filter": f},
            ["x", "filter"] if grad else None,
        )
        c_ = {"name": f"conv1d_{i}", "stride": s, "dilation": d, "padding": pad, "data_format": fmt}
        for k_, v in [("x", x), ("filter", f)] + list(out.items()):
            if fmt == "NCW" and k_ in ("x", "y", "dy", "dx"):
                v = np.transpose(v, (0, 2, 1))
            c_[k_] = enc(v)
        cases.append(c_)
    return cases


def deconv_len(i, k, s, pad):
    # tf.keras / tf.layers conv_utils.deconv_output_length (output_padding None)
    return i * s if pad == "SAME" else i * s + max(k - s, 0)


def conv2d_transpose_cases():
    cases = []
    # (N, H, W, C_in, C_out, kh, kw, strides, padding, output_hw or None, fmt, grad)
    cfgs = [
        (2, 4, 5, 3, 2, 3, 3, (2, 2), "SAME", None, "NHWC", True),
        (2, 4, 5, 3, 2, 3, 3, (2, 2), "VALID", None, "NHWC", True),
        (1, 4, 4, 3, 2, 3, 3, (2, 2), "SAME", (7, 8), "NHWC", True),
        (1, 3, 4, 2, 3, 5, 5, (3, 3), "SAME", None, "NHWC", False),
        (1, 3, 4, 2, 3, 2, 2, (3, 3), "VALID", None, "NHWC", True),
        (1, 5, 5, 2, 3, 3, 3, (1, 1), "SAME", None, "NHWC", False),
        (1, 5, 5, 2, 3, 3, 3, (1, 1), "VALID", None, "NHWC", False),
        (1, 3, 4, 2, 3, 4, 4, (2, 2), "VALID", (9, 11), "NHWC", False),
        (2, 4, 5, 3, 2, 3, 3, (2, 2), "SAME", None, "NCHW", False),
        (1, 4, 3, 2, 3, 3, 3, (2, 3), "SAME", None, "NHWC", True),
        (1, 4, 3, 2, 3, 3, 2, (1, 2), "VALID", None, "NCHW", True),
    ]
    for i, (n, h, w, ci, co, kh, kw, st, pad, ohw, fmt, grad) in enumerate(cfgs):
        x = rand(n, h, w, ci)
        f = rand(kh, kw, co, ci, scale=0.5)
        if ohw is None:
            ohw = (deconv_len(h, kh, st[0], pad), deconv_len(w, kw, st[1], pad))
        oshape = [n, ohw[0], ohw[1], co]
        out = run(
            lambda p: tf.nn.conv2d_transpose(p["x"], p["filter"], oshape, [1, *st, 1], pad),
            {"x": x, "filter": f},
            ["x", "filter"] if grad else None,
        )
        params = {"strides": list(st), "padding": pad, "data_format": fmt, "output_size": list(ohw)}
        cases.append(case_out(f"conv2d_transpose_{i}", params, {"x": x, "filter": f}, out, ("x", "y", "dy", "dx")))
    return cases


def depthwise_cases():
    cases = []
    # (N, H, W, C, mult, kh, kw, stride, rate, padding, fmt, grad)
    cfgs = [
        (2, 7, 7, 3, 1, 3, 3, 1, 1, "SAME", "NHWC", True),
        (2, 9, 8, 3, 2, 3, 3, 2, 1, "SAME", "NHWC", True),
        (1, 9, 8, 4, 1, 3, 3, 2, 1, "VALID", "NHWC", False),
        (1, 11, 10, 2, 3, 5, 5, 3, 1, "SAME", "NHWC", False),
        (1, 11, 11, 2, 1, 3, 3, 1, 2, "SAME", "NHWC", True),
        (1, 12, 11, 2, 2, 3, 3, 1, 2, "VALID", "NHWC", False),
        (1, 7, 7, 3, 1, 7, 7, 1, 1, "SAME", "NHWC", False),
        (2, 9, 8, 3, 2, 3, 3, 2, 1, "SAME", "NCHW", False),
    ]
    for i, (n, h, w, c, m, kh, kw, s, r, pad, fmt, grad) in enumerate(cfgs):
        x = rand(n, h, w, c)
        f = rand(kh, kw, c, m, scale=0.5)
        out = run(
            lambda p: tf.nn.depthwise_conv2d(p["x"], p["filter"], [1, s, s, 1], pad, dilations=[r, r]),
            {"x": x, "filter": f},
            ["x", "filter"] if grad else None,
        )
        params = {"strides": [s, s], "dilations": [r, r], "padding": pad, "data_format": fmt}
        cases.append(case_out(f"depthwise_{i}", params, {"x": x, "filter": f}, out, ("x", "y", "dy", "dx")))
    return cases


def separable_cases():
    cases = []
    # (N, H, W, C, mult, O, k, stride, rate, padding, fmt, grad)
    cfgs = [
        (2, 7, 7, 3, 1, 4, 3, 1, 1, "SAME", "NHWC", True),
        (1, 9, 8, 3, 2, 5, 3, 2, 1, "SAME", "NHWC", True),
        (1, 11, 10, 3, 2, 5, 5, 1, 2, "VALID", "NHWC", False),
        (1, 9, 8, 3, 2, 5, 3, 2, 1, "SAME", "NCHW", False),
    ]
    for i, (n, h, w, c, m, o, k, s, r, pad, fmt, grad) in enumerate(cfgs):
        x = rand(n, h, w, c)
        dw = rand(k, k, c, m, scale=0.5)
        pw = rand(1, 1, c * m, o, scale=0.5)
        out = run(
            lambda p: tf.nn.separable_conv2d(
                p["x"], p["depthwise_filter"], p["pointwise_filter"], [1, s, s, 1], pad, dilations=[r, r]
            ),
            {"x": x, "depthwise_filter": dw, "pointwise_filter": pw},
            ["x", "depthwise_filter", "pointwise_filter"] if grad else None,
        )
        params = {"strides": [s, s], "dilations": [r, r], "padding": pad, "data_format": fmt}
        feeds = {"x": x, "depthwise_filter": dw, "pointwise_filter": pw}
        cases.append(case_out(f"separable_{i}", params, feeds, out, ("x", "y", "dy", "dx")))
    return cases


# ---------------------------------------------------------------- pools
def pool_cases():
    cases = []
    # (kind, N, H, W, C, ksize, strides, padding, fmt, grad)
    cfgs = []
    for kind in ("max", "avg"):
        cfgs += [
            (kind, 2, 7, 7, 3, (3, 3), (2, 2), "SAME", "NHWC", True),
            (kind, 2, 7, 7, 3, (3, 3), (2, 2), "VALID", "NHWC", True),
            (kind, 1, 8, 8, 2, (2, 2), (2, 2), "SAME", "NHWC", True),
            (kind, 1, 9, 10, 2, (3, 2), (1, 2), "SAME", "NHWC", True),
            (kind, 1, 10, 11, 2, (5, 5), (3, 3), "SAME", "NHWC", False),
            (kind, 1, 10, 11, 2, (5, 5), (3, 3), "VALID", "NHWC", False),
            (kind, 1, 6, 6, 2, (3, 3), (1, 1), "SAME", "NHWC", True),
            (kind, 1, 3, 4, 2, (7, 7), (1, 1), "SAME", "NHWC", False),
            (kind, 2, 7, 7, 3, (3, 3), (2, 2), "SAME", "NCHW", False),
        ]
    for i, (kind, n, h, w, c, k, st, pad, fmt, grad) in enumerate(cfgs):
        x = rand(n, h, w, c)
        fn = tf.nn.max_pool2d if kind == "max" else tf.nn.avg_pool2d
        out = run(lambda p: fn(p["x"], [1, *k, 1], [1, *st, 1], pad), {"x": x}, ["x"] if grad else None)
        params = {"kind": kind, "ksize": list(k), "strides": list(st), "padding": pad, "data_format": fmt}
        cases.append(case_out(f"{kind}_pool_{i}", params, {"x": x}, out, ("x", "y", "dy", "dx")))
    return cases


# ---------------------------------------------------------------- norms
def batch_norm_cases():
    cases = []
    # inference: tf.nn.batch_normalization with moving statistics
    for i, (shape, axis, scale, offset, eps) in enumerate(
        [
            ((2, 5, 4, 3), 3, True, True, 1e-3),
            ((2, 5, 4, 3), 3, False, True, 1e-5),
            ((2, 5, 4, 3), 3, True, False, 1e-3),
            ((2, 5, 4, 3), 3, False, False, 1e-3),
            ((2, 3, 5, 4), 1, True, True, 1e-3),
            ((6, 5), 1, True, True, 1e-3),
        ]
    ):
        c = shape[axis]
        x = rand(*shape)
        feeds = {"x": x, "mean": rand(c), "variance": np.abs(rand(c)) + 0.1}
        if scale:
            feeds["gamma"] = rand(c)
        if offset:
            feeds["beta"] = rand(c)
        bshape = [1] * len(shape)
        bshape[axis] = c

        def build(p):
            r = lambda k: tf.reshape(p[k], bshape) if k in p else None  # noqa: E731
            return tf.nn.batch_normalization(p["x"], r("mean"), r("variance"), r("beta"), r("gamma"), eps)

        out = run(build, feeds)
        cs = {"name": f"bn_inference_{i}", "mode": "inference", "axis": axis, "epsilon": eps}
        for k, v in list(feeds.items()) + list(out.items()):
            cs[k] = enc(v)
        cases.append(cs)
    # training: tf.nn.moments over all axes but the channel axis, then the
    # moving-average update and gradients w.r.t. x, gamma, beta.
    for i, (shape, axis, eps, decay) in enumerate(
        [((2, 5, 4, 3), 3, 1e-3, 0.99), ((2, 3, 5, 4), 1, 1e-5, 0.9), ((7, 4), 1, 1e-3, 0.997)]
    ):
        c = shape[axis]
        x = rand(*shape, scale=2.0) + 0.5
        feeds = {"x": x, "gamma": rand(c), "beta": rand(c)}
        mm, mv = rand(c), np.abs(rand(c)) + 0.1
        axes = [a for a in range(len(shape)) if a != axis]
        bshape = [1] * len(shape)
        bshape[axis] = c
        g = tf.Graph()
        with g.as_default():
            ph = {k: tf1.placeholder(tf.float32, v.shape, name=k) for k, v in feeds.items()}
            mean, var = tf.nn.moments(ph["x"], axes, keepdims=True)
            y = tf.nn.batch_normalization(
                ph["x"], mean, var, tf.reshape(ph["beta"], bshape), tf.reshape(ph["gamma"], bshape), eps
            )
            mean1, var1 = tf.reshape(mean, [c]), tf.reshape(var, [c])
            new_mm = mm * decay + mean1 * (1 - decay)
            new_mv = mv * decay + var1 * (1 - decay)
            dy = rand(*shape)
            grads = tf.gradients(y, [ph["x"], ph["gamma"], ph["beta"]], grad_ys=tf.constant(dy))
            with tf1.Session(graph=g) as s:
                r = s.run(
                    {"y": y, "batch_mean": mean1, "batch_variance": var1, "moving_mean_new": new_mm,
                     "moving_variance_new": new_mv, "dx": grads[0], "dgamma": grads[1], "dbeta": grads[2]},
                    {ph[k]: v for k, v in feeds.items()},
                )
        cs = {"name": f"bn_training_{i}", "mode": "training", "axis": axis, "epsilon": eps, "decay": decay}
        for k, v in list(feeds.items()) + [("moving_mean", mm), ("moving_variance", mv), ("dy", dy)] + list(r.items()):
            cs[k] = enc(v)
        cases.append(cs)
    # fused training (tf.compat.v1.nn.fused_batch_norm, NHWC): its returned
    # variance is Bessel-corrected (n/(n-1)); that is what a fused
    # tf.layers/slim batch norm feeds into the moving variance.
    x = rand(2, 5, 4, 3, scale=2.0)
    gm, bt = rand(3), rand(3)
    g = tf.Graph()
    with g.as_default():
        y, m, v = tf1.nn.fused_batch_norm(tf.constant(x), tf.constant(gm), tf.constant(bt), epsilon=1e-3, is_training=True)
        with tf1.Session(graph=g) as s:
            y, m, v = s.run([y, m, v])
    cases.append({"name": "bn_fused_training", "mode": "fused_training", "axis": 3, "epsilon": 1e-3,
                  "x": enc(x), "gamma": enc(gm), "beta": enc(bt), "y": enc(y),
                  "batch_mean": enc(m), "batch_variance": enc(v)})
    return cases


def layer_norm_cases():
    cases = []
    # tf_slim.layers.layer_norm itself, its variables set to random values.
    for i, (shape, bna, bpa) in enumerate(
        [((2, 5, 6), -1, -1), ((2, 3, 4, 5), 1, -1), ((2, 3, 4, 5), 2, 1), ((3, 7), 1, 1), ((2, 3, 4), -2, -1)]
    ):
        x = rand(*shape, scale=3.0) + 1.0
        g = tf.Graph()
        with g.as_default():
            xp = tf1.placeholder(tf.float32, shape)
            y = tf_slim.layers.layer_norm(xp, begin_norm_axis=bna, begin_params_axis=bpa, scope="ln")
            vs = {v.op.name.split("/")[-1]: v for v in tf1.global_variables()}
            pshape = vs["gamma"].shape.as_list()
            gm, bt = rand(*pshape), rand(*pshape)
            dy = rand(*shape)
            grads = tf.gradients(y, [xp, vs["gamma"], vs["beta"]], grad_ys=tf.constant(dy))
            with tf1.Session(graph=g) as s:
                s.run([vs["gamma"].assign(gm), vs["beta"].assign(bt)])
                r = s.run({"y": y, "dx": grads[0], "dgamma": grads[1], "dbeta": grads[2]}, {xp: x})
        cs = {"name": f"layer_norm_slim_{i}", "form": "slim", "begin_norm_axis": bna, "begin_params_axis": bpa,
              "x": enc(x), "gamma": enc(gm), "beta": enc(bt), "dy": enc(dy)}
        for k, v in r.items():
            cs[k] = enc(v)
        cases.append(cs)
    # GPT-2's norm (src/model.py): eps 1e-5 over the last axis.
    for i, shape in enumerate([(2, 5, 8), (3, 16)]):
        x = rand(*shape, scale=2.0)
        gm, bt = rand(shape[-1]), rand(shape[-1])

        def gpt2_norm(p):
            u = tf.reduce_mean(p["x"], axis=-1, keepdims=True)
            s = tf.reduce_mean(tf.square(p["x"] - u), axis=-1, keepdims=True)
            return (p["x"] - u) * tf.math.rsqrt(s + 1e-5) * p["gamma"] + p["beta"]

        out = run(gpt2_norm, {"x": x, "gamma": gm, "beta": bt}, ["x", "gamma", "beta"])
        cs = {"name": f"layer_norm_gpt2_{i}", "form": "gpt2", "x": enc(x), "gamma": enc(gm), "beta": enc(bt)}
        for k, v in out.items():
            cs[k] = enc(v)
        cases.append(cs)
    return cases


# ---------------------------------------------------------------- activations, loss
def activation_cases():
    cases = []
    # random values plus the corners: 0 and 6 (relu / relu6 gradients), saturation
    x = np.concatenate([rand(60, scale=3.0), np.array([-12.0, -6.0, 0.0, 0.5, 6.0, 12.0], np.float32)]).reshape(6, 11)

    def bert_gelu(t):  # google-research/bert modeling.py, GPT-2 src/model.py
        return 0.5 * t * (1.0 + tf.tanh(np.sqrt(2.0 / np.pi) * (t + 0.044715 * tf.pow(t, 3))))

    fns = {
        "gelu_tanh": bert_gelu,
        "gelu_erf": lambda t: tf.nn.gelu(t, approximate=False),
        "relu": tf.nn.relu,
        "relu6": tf.nn.relu6,
        "tanh": tf.tanh,
        "sigmoid": tf.sigmoid,
        "softmax_last": lambda t: tf.nn.softmax(t, axis=-1),
        "softmax_axis0": lambda t: tf.nn.softmax(t, axis=0),
    }
    for name, fn in fns.items():
        out = run(lambda p: fn(p["x"]), {"x": x}, ["x"])
        cs = {"name": name, "x": enc(x)}
        for k, v in out.items():
            cs[k] = enc(v)
        cases.append(cs)
    # softmax on large logits (stability: exp(x) overflows without the max
    # shift). Offset, not scaled: a saturated row's gradient is a
    # cancellation that TF itself gets only to ~1e-3 of its (tiny) largest
    # value in float32, so it cannot be compared at 1e-5.
    xl = rand(3, 4, 9, scale=3.0) + np.array([1000.0, -1000.0, 80.0], np.float32).reshape(3, 1, 1)
    out = run(lambda p: tf.nn.softmax(p["x"], axis=-1), {"x": xl}, ["x"])
    cs = {"name": "softmax_large", "x": enc(xl)}
    for k, v in out.items():
        cs[k] = enc(v)
    cases.append(cs)
    return cases


def loss_cases():
    cases = []
    for i, (shape, scale) in enumerate([((6, 5), 1.0), ((2, 3, 7), 2.0), ((4, 11), 300.0), ((1, 2), 1.0)]):
        logits = rand(*shape, scale=scale)
        labels = RNG.integers(0, shape[-1], size=shape[:-1]).astype(np.int64)
        out = run(
            lambda p: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=p["labels"], logits=p["logits"]),
            {"logits": logits, "labels": labels},
            ["logits"],
        )
        cs = {"name": f"sparse_ce_{i}", "logits": enc(logits), "labels": enc(labels)}
        for k, v in out.items():
            cs[k] = enc(v)
        cases.append(cs)
    return cases


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    write(out_dir, "conv2d.json", conv2d_cases)
    write(out_dir, "conv1d.json", conv1d_cases)
    write(out_dir, "conv2d_transpose.json", conv2d_transpose_cases)
    write(out_dir, "depthwise.json", depthwise_cases)
    write(out_dir, "separable.json", separable_cases)
    write(out_dir, "pool.json", pool_cases)
    write(out_dir, "batch_norm.json", batch_norm_cases)
    write(out_dir, "layer_norm.json", layer_norm_cases)
    write(out_dir, "activation.json", activation_cases)
    write(out_dir, "loss.json", loss_cases)


if __name__ == "__main__":
    main()
